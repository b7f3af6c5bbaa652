/**
 * The output of a command as the model gets it: the first and the last bytes, with the size of what was left
 * out between them. Memory stays bounded however much the command prints.
 */
export class OutputCapture {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Every byte the command printed, on both streams. */
  total = 0;

  constructor(
    private readonly headLimit = 16 * 1024,
    private readonly tailLimit = 16 * 1024,
  ) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headBytes < this.headLimit) {
      const part = chunk.subarray(0, this.headLimit - this.headBytes);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - this.tail[0]!.length >= this.tailLimit) this.tailBytes -= this.tail.shift()!.length;
  }

  /** The text for the model, cut only between characters, and how many bytes it leaves out. */
  result(): { text: string; omittedBytes: number } {
    let head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailLimit) tail = tail.subarray(tail.length - this.tailLimit);
    const gap = this.total - head.length - tail.length;
    if (gap === 0) return { text: Buffer.concat([head, tail]).toString('utf8'), omittedBytes: 0 };
    head = head.subarray(0, completeUtf8Length(head));
    tail = tail.subarray(leadingContinuationBytes(tail));
    const omittedBytes = this.total - head.length - tail.length;
    return { text: `${head.toString('utf8')}\n[... ${omittedBytes} bytes omitted ...]\n${tail.toString('utf8')}`, omittedBytes };
  }
}

/** The length of the buffer without a character cut off at its end. */
function completeUtf8Length(b: Buffer): number {
  for (let back = 1; back <= Math.min(4, b.length); back++) {
    const byte = b[b.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? b.length - back : b.length;
  }
  return b.length;
}

function leadingContinuationBytes(b: Buffer): number {
  let i = 0;
  while (i < Math.min(3, b.length) && (b[i]! & 0xc0) === 0x80) i++;
  return i;
}
