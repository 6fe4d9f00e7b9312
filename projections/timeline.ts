// Stores the change points of an org-time history (timeline_points) and
// hands them back in org order; see src/domain/timeline.ts.
import type { ChangePoint } from '../src/domain/timeline.ts';
import type { RecordedEvent } from '../src/eventStore/types.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { timelinePoints } from './tables.ts';

export async function addChangePoint<Value>(
  ws: WorkingSet,
  timeline: string,
  event: RecordedEvent,
  value: Value | null,
): Promise<ChangePoint<Value>[]> {
  ws.put(timelinePoints, {
    id: event.eventId,
    organizationId: event.organizationId,
    timeline,
    occurredAt: event.occurredAt,
    position: event.position,
    data: { value } as never,
  });
  const points = await ws.where(timelinePoints, { timeline });
  return points.map((point) => ({
    id: point.id,
    occurredAt: point.occurredAt,
    position: point.position,
    value: (point.data as { value: Value | null }).value,
  }));
}
