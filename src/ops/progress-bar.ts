/** Where an operator command writes: a terminal redraws one line, anything else gets a line per 10 %. */
export interface ProgressOutput {
  write(text: string): void;
  isTTY?: boolean;
}

/** A one-line progress bar (`[#####-----]  50% 10/20 minutes · …`). */
export class ProgressBar {
  private lastDecile = -1;

  constructor(
    private readonly out: ProgressOutput,
    private readonly total: number,
    private readonly unit: string,
    private readonly width = 30,
  ) {}

  update(done: number, detail: string): void {
    const fraction = this.total === 0 ? 1 : Math.min(1, done / this.total);
    const filled = Math.round(fraction * this.width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(this.width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${done}/${this.total} ${this.unit} · ${detail}`;
    if (this.out.isTTY === true) {
      this.out.write(`\r${line}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`${line}\n`);
    }
  }

  done(): void {
    if (this.out.isTTY === true) this.out.write('\n');
  }
}
