import { FileBase, IResolver, Project } from 'projen';
import { DockerInstruction } from './dockerfile-instruction';
import { EditLog } from '../core/edit-log';
import { checkOptionNames } from '../core/option-names';

/** Options for `Dockerfile.addStage`. */
export interface DockerfileStageOptions {
  /**
   * The base image of the stage (`FROM <image>`).
   */
  readonly from: string;

  /**
   * `--platform` of the `FROM` line, e.g. `$BUILDPLATFORM`.
   * @default - the target platform
   */
  readonly platform?: string;

  /**
   * A comment rendered above the `FROM` line.
   * @default - no comment
   */
  readonly comment?: string;
}

/**
 * One build stage: `FROM <image> AS <alias>` and its instructions. Every instruction has a
 * stable id, so `.projenrc.ts` can insert, replace or remove instructions by id without
 * copying the Dockerfile.
 */
export class DockerfileStage {
  private readonly entries: { id: string; instruction: DockerInstruction }[] = [];

  /**
   * Receives each change made to the stage, so the Dockerfile can replay it when it defines
   * its stages again at synth time.
   * @internal
   */
  public _record?: (edit: (stage: DockerfileStage) => void) => void;

  constructor(
    /** The stage alias (`AS <alias>`), used by `COPY --from`. */
    public readonly alias: string,
    private options: DockerfileStageOptions,
  ) {}

  /** The base image. */
  public get from(): string {
    return this.options.from;
  }

  /** Changes the base image (an escape hatch; subclasses override the image methods instead). */
  public changeBaseImage(image: string): void {
    this.apply((stage) => {
      stage.options = { ...stage.options, from: image };
    });
  }

  /** Ids of the instructions, in order. */
  public get instructionIds(): string[] {
    return this.entries.map((entry) => entry.id);
  }

  /** The instructions, in order. */
  public get instructions(): DockerInstruction[] {
    return this.entries.map((entry) => entry.instruction);
  }

  /** Appends an instruction under a unique id. */
  public addInstruction(id: string, instruction: DockerInstruction): void {
    this.apply((stage) => {
      stage.assertNewId(id);
      stage.entries.push({ id, instruction });
    });
  }

  /** Returns the instruction with this id, or undefined. */
  public tryFindInstruction(id: string): DockerInstruction | undefined {
    return this.entries.find((entry) => entry.id === id)?.instruction;
  }

  /** Inserts an instruction before the one with `referenceId`. */
  public insertBefore(referenceId: string, id: string, instruction: DockerInstruction): void {
    this.apply((stage) => {
      stage.assertNewId(id);
      stage.entries.splice(stage.indexOf(referenceId), 0, { id, instruction });
    });
  }

  /** Inserts an instruction after the one with `referenceId`. */
  public insertAfter(referenceId: string, id: string, instruction: DockerInstruction): void {
    this.apply((stage) => {
      stage.assertNewId(id);
      stage.entries.splice(stage.indexOf(referenceId) + 1, 0, { id, instruction });
    });
  }

  /** Replaces the instruction with this id (the id stays). */
  public replaceInstruction(id: string, instruction: DockerInstruction): void {
    this.apply((stage) => {
      stage.entries[stage.indexOf(id)] = { id, instruction };
    });
  }

  /** Removes the instruction with this id. */
  public removeInstruction(id: string): void {
    this.apply((stage) => {
      stage.entries.splice(stage.indexOf(id), 1);
    });
  }

  /** The rendered stage, without a trailing newline. */
  public render(): string {
    const platform = this.options.platform ? `--platform=${this.options.platform} ` : '';
    const comment = this.options.comment ? this.options.comment.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n') + '\n' : '';
    const lines = [`${comment}FROM ${platform}${this.options.from} AS ${this.alias}`];
    for (const { instruction } of this.entries) {
      lines.push(instruction.render());
    }
    return lines.join('\n');
  }

  private apply(edit: (stage: DockerfileStage) => void): void {
    edit(this);
    this._record?.(edit);
  }

  private indexOf(id: string): number {
    const index = this.entries.findIndex((entry) => entry.id === id);
    if (index < 0) {
      throw new Error(`Dockerfile stage "${this.alias}" has no instruction "${id}". Known ids: ${this.instructionIds.join(', ')}`);
    }
    return index;
  }

  private assertNewId(id: string): void {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) {
      throw new Error(`Dockerfile instruction id must be lowercase kebab-case, got "${id}"`);
    }
    if (this.entries.some((entry) => entry.id === id)) {
      throw new Error(`Dockerfile stage "${this.alias}" already has an instruction "${id}"`);
    }
  }
}

/** Options for `Dockerfile`. */
export interface DockerfileOptions {
  /**
   * Path of the Dockerfile, relative to the project.
   * @default "Dockerfile"
   */
  readonly fileName?: string;
}

/**
 * A generated, read-only Dockerfile made of named stages. The first line is projen's marker
 * naming `.projenrc.ts`; the file is rewritten by every synth and removed when no longer defined.
 */
export class Dockerfile extends FileBase {
  private readonly stageList: DockerfileStage[] = [];
  private readonly globalArgs: DockerInstruction[] = [];
  /** Changes made from `.projenrc.ts`, replayed each time the stages are defined again. */
  private readonly edits = new EditLog<Dockerfile>();
  private defined = false;
  private defining = false;

  constructor(project: Project, options: DockerfileOptions = {}) {
    checkOptionNames(options, 'DockerfileOptions', 'Dockerfile');
    super(project, options.fileName ?? 'Dockerfile', { marker: true, readonly: true, committed: true });
  }

  /** The stages, in build order. */
  public get stages(): DockerfileStage[] {
    this.ensureDefined();
    return [...this.stageList];
  }

  /** Adds a stage at the end (it becomes the final stage unless another follows). */
  public addStage(alias: string, options: DockerfileStageOptions): DockerfileStage {
    this.ensureDefined();
    if (!/^[a-z][a-z0-9_-]*$/.test(alias)) {
      throw new Error(`Dockerfile stage alias must be lowercase, got "${alias}"`);
    }
    if (this.stageList.some((stage) => stage.alias === alias)) {
      throw new Error(`Dockerfile already has a stage "${alias}"`);
    }
    const stage = new DockerfileStage(alias, options);
    stage._record = (edit) => this.recordEdit((dockerfile) => edit(dockerfile.tryFindStage(alias)!));
    this.stageList.push(stage);
    this.recordEdit((dockerfile) => {
      dockerfile.addStage(alias, options);
    });
    return stage;
  }

  /** Returns the stage with this alias, or undefined. */
  public tryFindStage(alias: string): DockerfileStage | undefined {
    this.ensureDefined();
    return this.stageList.find((stage) => stage.alias === alias);
  }

  /** Adds an `ARG` before the first `FROM` (usable in `FROM` lines). */
  public addGlobalArg(name: string, defaultValue?: string): void {
    this.globalArgs.push(DockerInstruction.arg(name, defaultValue));
    this.recordEdit((dockerfile) => dockerfile.addGlobalArg(name, defaultValue));
  }

  /**
   * Defines the stages. Called lazily the first time stages are read (so a subclass's own
   * fields are initialised before its overridden methods run), and again at synth time, when
   * everything it reads is final; changes made to the stages from `.projenrc.ts` are replayed
   * after it. The base class defines none.
   */
  protected defineStages(): void {}

  /**
   * Defines the stages from scratch before projen writes anything, so the output depends only
   * on the final configuration, never on the order `.projenrc.ts` created things in, and an
   * error from a stage definition (or an escape hatch) leaves the project untouched.
   */
  public preSynthesize(): void {
    super.preSynthesize();
    this.define();
    if (this.stageList.length === 0) {
      throw new Error(`${this.path} has no stages: add one with addStage() or override defineStages().`);
    }
  }

  protected synthesizeContent(_resolver: IResolver): string | undefined {
    this.ensureDefined();
    const header = [`# ${this.marker}`];
    const parts = [header.join('\n')];
    if (this.globalArgs.length > 0) {
      parts.push(this.globalArgs.map((arg) => arg.render()).join('\n'));
    }
    for (const stage of this.stageList) {
      parts.push(stage.render());
    }
    return parts.join('\n\n') + '\n';
  }

  private ensureDefined(): void {
    if (!this.defined && !this.defining) {
      this.define();
    }
  }

  /** Defines the stages afresh, then replays the recorded changes. */
  private define(): void {
    this.stageList.length = 0;
    this.globalArgs.length = 0;
    this.defined = true;
    this.defining = true;
    try {
      this.edits.withoutRecording(() => this.defineStages());
    } finally {
      this.defining = false;
    }
    this.edits.replay(this);
  }

  private recordEdit(edit: (dockerfile: Dockerfile) => void): void {
    this.edits.record(edit);
  }
}
