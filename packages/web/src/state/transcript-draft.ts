import type { QueuedMessage, Transcript, TranscriptItem } from './transcript-types';

/**
 * A mutable working copy of a Transcript for applying a batch of events: the item array is copied
 * once per batch rather than once per event, which keeps a frame's worth of deltas cheap. The key
 * index is copied only when the batch adds or aliases a key: most batches only replace the
 * streaming item, and copying a long transcript's index every frame would make each frame's cost
 * grow with the transcript. Items themselves are never mutated, only replaced.
 */
export class TranscriptDraft {
  lastSeq: number;
  readonly items: TranscriptItem[];
  private readonly baseIndex: ReadonlyMap<string, number>;
  private ownIndex: Map<string, number> | undefined;
  queued: QueuedMessage[];
  status: Transcript['status'];
  statusReason: string | undefined;
  activeTurnId: string | undefined;
  lastUserText: string | undefined;
  retryKey: string | undefined;
  turnsEnded: number;
  gitOperations: number;

  constructor(base: Transcript) {
    this.lastSeq = base.lastSeq;
    this.items = base.items.slice();
    this.baseIndex = base.index;
    this.queued = base.queued.slice();
    this.status = base.status;
    this.statusReason = base.statusReason;
    this.activeTurnId = base.activeTurnId;
    this.lastUserText = base.lastUserText;
    this.retryKey = base.retryKey;
    this.turnsEnded = base.turnsEnded;
    this.gitOperations = base.gitOperations;
  }

  private get index(): ReadonlyMap<string, number> {
    return this.ownIndex ?? this.baseIndex;
  }

  /** The index to change: the base's, copied on first use (the base belongs to the last Transcript). */
  private writableIndex(): Map<string, number> {
    this.ownIndex ??= new Map(this.baseIndex);
    return this.ownIndex;
  }

  get(key: string): TranscriptItem | undefined {
    const position = this.index.get(key);
    return position === undefined ? undefined : this.items[position];
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  add(item: TranscriptItem): void {
    this.writableIndex().set(item.key, this.items.length);
    this.items.push(item);
  }

  /** Replace the item known as `key` (its own key or an alias). */
  replace(key: string, item: TranscriptItem): void {
    const position = this.index.get(key);
    if (position !== undefined) this.items[position] = item;
  }

  /** Make `alias` find the same item as `key` (a streamed tool block later learns its tool_use id). */
  alias(alias: string, key: string): void {
    const position = this.index.get(key);
    if (position !== undefined) this.writableIndex().set(alias, position);
  }

  toTranscript(): Transcript {
    return {
      lastSeq: this.lastSeq,
      items: this.items,
      queued: this.queued,
      status: this.status,
      statusReason: this.statusReason,
      activeTurnId: this.activeTurnId,
      lastUserText: this.lastUserText,
      retryKey: this.retryKey,
      turnsEnded: this.turnsEnded,
      gitOperations: this.gitOperations,
      index: this.index,
    };
  }
}
