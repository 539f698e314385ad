/*
 * Text from people and agents (titles, descriptions, messages, reasons) made safe to print on a
 * terminal or to put in a Markdown export: nothing left in it is read as a control. Never for a
 * PTY's own output (a live terminal stream, an asciicast): those bytes drive a terminal on
 * purpose and stay exact.
 *
 * - Escape sequences go whole, in their 7- and 8-bit forms: string sequences (OSC such as the
 *   OSC 52 clipboard write, DCS, SOS, PM, APC) up to their BEL/ST terminator when it comes on the
 *   same line, CSI (colours, cursor moves), and two-character ESC sequences. An unterminated or
 *   malformed one loses only its introducer: the rest is plain text once the ESC is gone.
 * - Then every C0 control but \n and \t, DEL and C1 (U+0080–U+009F) is dropped. \r\n becomes \n;
 *   a lone \r is dropped (on a terminal it would overwrite the line it ends).
 * - Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) are dropped: they
 *   reorder what is shown ("Trojan Source"). The marks U+200E, U+200F and U+061C stay: they
 *   cannot reorder a run and right-to-left text needs them.
 * - Single-line (the default, for table cells and one-line fields): \n and \t become spaces.
 */

/* eslint-disable no-control-regex */
const STRING_SEQUENCE = /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0000-\u001f\u007f-\u009f]*(?:\u0007|\u001b\\|\u009c)/g;
const CSI_SEQUENCE = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]/g;
const ESC_SEQUENCE = /\u001b[\u0020-\u002f]*[\u0030-\u007e]/g;
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw (it escapes C0 itself) but a terminal would act on. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

export function safeText(text: string, opts: { multiline?: boolean } = {}): string {
  const stripped = text.replace(STRING_SEQUENCE, '').replace(CSI_SEQUENCE, '').replace(ESC_SEQUENCE, '').replace(/\r\n/g, '\n');
  return (opts.multiline ? stripped : stripped.replace(/[\n\t]/g, ' ')).replace(UNSAFE, '');
}

/**
 * JSON text (from JSON.stringify) with the same characters written as `\uXXXX` escapes: the data
 * parses back exactly, and a terminal showing it sees none of them.
 */
export function escapeUnsafeInJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
