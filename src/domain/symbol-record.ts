/** A row of the symbols table as the API shows it. */
export interface SymbolRecord {
  symbol: string;
  name: string | null;
  firstSeen: Date;
}
