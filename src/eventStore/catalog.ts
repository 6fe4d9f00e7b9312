// The event catalogue the store checks appends against and upcasts reads with.
// Every event type has a zod schema for its current schema version; an event
// stored at an older version is read through the chain of upcasters
// n -> n+1 -> ... -> current, so consumers only ever see the current shape.
import type { z } from 'zod';
import { InvalidEventDataError, UnknownEventTypeError } from './errors.ts';

export type Upcaster = (data: unknown) => unknown;

export type EventDefinition<Type extends string = string, Schema extends z.ZodType = z.ZodType> = {
  type: Type;
  schemaVersion: number;
  schema: Schema;
  /** `upcasters[n]` turns data stored at version n into version n + 1. */
  upcasters?: Readonly<Record<number, Upcaster>>;
};

export function defineEvent<Type extends string, Schema extends z.ZodType>(
  definition: EventDefinition<Type, Schema>,
): EventDefinition<Type, Schema> {
  for (let version = 1; version < definition.schemaVersion; version++) {
    if (!definition.upcasters?.[version]) {
      throw new Error(`${definition.type} v${definition.schemaVersion} has no upcaster from v${version}`);
    }
  }
  return definition;
}

export class EventCatalog {
  readonly #definitions = new Map<string, EventDefinition>();

  constructor(definitions: Iterable<EventDefinition> = []) {
    for (const definition of definitions) this.register(definition);
  }

  register(definition: EventDefinition): this {
    if (this.#definitions.has(definition.type)) throw new Error(`Event type ${definition.type} is registered twice`);
    this.#definitions.set(definition.type, definition);
    return this;
  }

  has(type: string): boolean {
    return this.#definitions.has(type);
  }

  #get(type: string): EventDefinition {
    const definition = this.#definitions.get(type);
    if (!definition) throw new UnknownEventTypeError(type);
    return definition;
  }

  /** Validates data for an append; returns the parsed data and its schema version. */
  prepare(type: string, data: unknown): { data: unknown; schemaVersion: number } {
    const definition = this.#get(type);
    const parsed = definition.schema.safeParse(data);
    if (!parsed.success) {
      throw new InvalidEventDataError(`Invalid data for ${type}`, {
        type,
        issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
      });
    }
    return { data: parsed.data, schemaVersion: definition.schemaVersion };
  }

  /**
   * Brings stored data up to the current schema version. Types the catalogue
   * does not know, and versions newer than it knows (written by a newer
   * process during a rolling deploy), are returned untouched.
   */
  upcast(type: string, schemaVersion: number, data: unknown): { data: unknown; schemaVersion: number } {
    const definition = this.#definitions.get(type);
    if (!definition || schemaVersion >= definition.schemaVersion) return { data, schemaVersion };
    let current = data;
    for (let version = schemaVersion; version < definition.schemaVersion; version++) {
      current = definition.upcasters![version]!(current);
    }
    return { data: current, schemaVersion: definition.schemaVersion };
  }
}

/** The discriminated union `{ type, data }` of a list of event definitions. */
export type EventOf<Definitions extends readonly EventDefinition[]> = {
  [K in keyof Definitions]: Definitions[K] extends EventDefinition<infer Type, infer Schema>
    ? { type: Type; data: z.output<Schema> }
    : never;
}[number];
