/**
 * Changes made from `.projenrc.ts` to something that is generated again at synth time (the
 * Dockerfile's stages, the workflow's jobs): recorded as they are made, replayed after each
 * regeneration, so escape hatches survive while the generated part follows the final plan.
 */
export class EditLog<T> {
  private readonly edits: ((target: T) => void)[] = [];
  private paused = 0;

  /** Records a change, unless it is made while generating or replaying. */
  public record(edit: (target: T) => void): void {
    if (this.paused === 0) {
      this.edits.push(edit);
    }
  }

  /** Runs `generate` without recording the changes it makes. */
  public withoutRecording(generate: () => void): void {
    this.paused++;
    try {
      generate();
    } finally {
      this.paused--;
    }
  }

  /** Applies every recorded change again, in order, to the regenerated `target`. */
  public replay(target: T): void {
    this.withoutRecording(() => this.edits.forEach((edit) => edit(target)));
  }
}
