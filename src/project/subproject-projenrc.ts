import * as path from 'path';
import { Project, ProjenrcFile } from 'projen';

/**
 * Points a subproject's generated-file markers at the root project's `.projenrc.ts` (projen
 * otherwise names a `.projenrc.js` that does not exist). It writes nothing.
 */
export class SubprojectProjenrc extends ProjenrcFile {
  public readonly filePath: string;

  constructor(project: Project) {
    super(project);
    const rootRc = ProjenrcFile.of(project.root)?.filePath ?? '.projenrc.ts';
    this.filePath = path.relative(project.outdir, path.join(project.root.outdir, rootRc)).split(path.sep).join('/');
  }

  public preSynthesize(): void {
    // The file belongs to the root project: nothing to un-ignore here.
  }
}
