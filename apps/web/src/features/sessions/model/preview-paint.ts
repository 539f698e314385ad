/** Pure pieces of the canvas terminal preview: the colour of a cell and the font that fits a box. */

const ANSI16 = ['#1c2028', '#ff6b6b', '#3ecf8e', '#f2b94b', '#6ea8ff', '#c792ea', '#56d4dd', '#d7dae0', '#5c6370', '#ff8787', '#69dba6', '#f7cd72', '#91bdff', '#d7aefb', '#7fe3ea', '#ffffff'];
const hex = (n: number) => n.toString(16).padStart(2, '0');

/** The xterm 256-colour palette: 16 theme colours, a 6×6×6 cube, 24 greys. */
export function paletteColor(i: number): string {
  if (i < 16) return ANSI16[i];
  if (i < 232) {
    const v = i - 16;
    const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
    return `#${hex(level(Math.floor(v / 36)))}${hex(level(Math.floor(v / 6) % 6))}${hex(level(v % 6))}`;
  }
  const g = 8 + (i - 232) * 10;
  return `#${hex(g)}${hex(g)}${hex(g)}`;
}

export interface CellLike {
  isFgRGB(): boolean;
  isFgPalette(): boolean;
  isBgRGB(): boolean;
  isBgPalette(): boolean;
  getFgColor(): number;
  getBgColor(): number;
  isInverse(): number;
  isDim(): number;
  isBold(): number;
}

const rgb = (n: number) => `#${n.toString(16).padStart(6, '0')}`;

export function cellColor(cell: CellLike, defaultFg: string, defaultBg: string): { fg: string; bg: string } {
  let fg = cell.isFgRGB() ? rgb(cell.getFgColor()) : cell.isFgPalette() ? paletteColor(cell.getFgColor() + (cell.isBold() && cell.getFgColor() < 8 ? 8 : 0)) : defaultFg;
  let bg = cell.isBgRGB() ? rgb(cell.getBgColor()) : cell.isBgPalette() ? paletteColor(cell.getBgColor()) : defaultBg;
  if (cell.isInverse()) [fg, bg] = [bg, fg];
  if (cell.isDim()) fg = `${fg.length === 7 ? fg : defaultFg}99`;
  return { fg, bg };
}

/** A monospace font (about 0.6 em wide) that fits `cols`×`rows` cells into w×h pixels. */
export function previewFont(w: number, h: number, cols: number, rows: number): { size: number; charW: number; lineH: number; padX: number; padY: number } {
  const padX = Math.max(2, Math.round(w * 0.015));
  const padY = padX;
  const byWidth = (w - padX * 2) / cols / 0.6;
  const byHeight = (h - padY * 2) / rows / 1.15;
  const size = Math.max(2, Math.min(byWidth, byHeight));
  return { size, charW: size * 0.6, lineH: size * 1.15, padX, padY };
}
