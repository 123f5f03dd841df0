import { StringDecoder } from 'node:string_decoder';

/** One line of a text stream. */
export interface Line {
  text: string;
  /** False only for a last line that the stream ended without a newline: a cut-off file. */
  complete: boolean;
}

/** The longest line accepted: far above any row, far below what would exhaust memory. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Splits a byte stream into lines as it is read, pulling one chunk at a time, so memory stays
 * at a chunk and a line whatever the file's size. UTF-8 sequences split across chunks are kept
 * whole. A line longer than {@link MAX_LINE_CHARS} is an error, not an allocation.
 */
export async function* readLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      yield { text: text.slice(start, end), complete: true };
      start = end + 1;
    }
    carry = text.slice(start);
    if (carry.length > MAX_LINE_CHARS) throw new RangeError(`a line is longer than ${MAX_LINE_CHARS} characters`);
  }
  carry += decoder.end();
  if (carry !== '') yield { text: carry, complete: false };
}
