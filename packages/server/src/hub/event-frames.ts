/**
 * One `event` frame, or an `events` frame for several, spliced from the events' stored JSON rather
 * than re-encoding every payload per frame (the shape is ServerFrame's; the hub tests parse it).
 */
export function encodeEvents(sessionId: string, events: readonly { seq: number; json: string }[]): string {
  const id = JSON.stringify(sessionId);
  if (events.length === 1) {
    const [only] = events as [{ seq: number; json: string }];
    return `{"type":"event","sessionId":${id},"seq":${only.seq},"event":${only.json}}`;
  }
  return `{"type":"events","sessionId":${id},"events":[${events.map((event) => event.json).join(',')}]}`;
}
