/** A bar as stored (after a flush): exact decimal text for prices. */
export interface StoredBar {
  symbol: string;
  timestamp: Date;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  vwap: string | null;
}
