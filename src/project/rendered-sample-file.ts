import * as fs from 'fs';
import * as path from 'path';
import { Component, Project } from 'projen';

/**
 * A file written once, when absent, and then owned by the user (like projen's `SampleFile`),
 * whose content is rendered at synth time, so it states the final configuration whatever the
 * order in which `.projenrc.ts` set it up.
 */
export class RenderedSampleFile extends Component {
  constructor(
    project: Project,
    public readonly filePath: string,
    private readonly render: () => string,
    /** Whether the file is written at all (checked at synth time). */
    private readonly wanted: () => boolean = () => true,
  ) {
    super(project);
  }

  public synthesize(): void {
    const file = path.join(this.project.outdir, this.filePath);
    if (fs.existsSync(file) || !this.wanted()) {
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, this.render());
  }
}
