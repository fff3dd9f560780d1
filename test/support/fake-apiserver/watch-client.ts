import type { WatchEvent } from './watch.js';
import { waitUntil } from '../wait-until.js';

/**
 * A bare watch reader over `fetch` for tests: collects the NDJSON events of one watch response and
 * knows whether the stream ended cleanly or broke.
 */
export class WatchClient {
  readonly events: WatchEvent[] = [];
  private endState: 'open' | 'ended' | 'broken' = 'open';

  private constructor(
    readonly status: number,
    private readonly controller: AbortController,
  ) {}

  static async open(url: string): Promise<WatchClient> {
    const controller = new AbortController();
    const res = await fetch(url, { signal: controller.signal });
    const client = new WatchClient(res.status, controller);
    if (res.body === null) throw new Error('watch response has no body');
    void client.pump(res.body);
    return client;
  }

  get state(): 'open' | 'ended' | 'broken' {
    return this.endState;
  }

  async waitForEvents(count: number, timeoutMs = 2000): Promise<WatchEvent[]> {
    await waitUntil(() => this.events.length >= count, `${count} watch events`, timeoutMs);
    return this.events.slice(0, count);
  }

  async waitForEnd(timeoutMs = 2000): Promise<'ended' | 'broken'> {
    await waitUntil(() => this.endState !== 'open', 'the watch to end', timeoutMs);
    return this.endState === 'ended' ? 'ended' : 'broken';
  }

  close(): void {
    this.controller.abort();
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of body) {
        buffered += decoder.decode(chunk, { stream: true });
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (line !== '') this.events.push(JSON.parse(line) as WatchEvent);
      }
      this.endState = 'ended';
    } catch {
      this.endState = 'broken';
    }
  }
}
