import { pipeline, type Readable, Transform } from 'node:stream';

const NEWLINE = 0x0a;

/**
 * `source` passed through unchanged, its lines counted; `done` gets the rows (lines less
 * `headerLines`) once the stream has ended or was cut off, counting what was sent by then.
 * Errors of `source` still reach the consumer (pipeline destroys the counter with them).
 */
export function countingRows(source: Readable, headerLines: number, done: (rows: number) => void): Readable {
  let lines = 0;
  let reported = false;
  const report = () => {
    if (reported) return;
    reported = true;
    done(Math.max(lines - headerLines, 0));
  };
  const counter = new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) lines++;
      callback(null, chunk);
    },
  });
  counter.once('end', report).once('close', report);
  return pipeline(source, counter, () => undefined);
}
