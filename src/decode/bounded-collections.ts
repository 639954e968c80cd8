/**
 * avsc trusts the block counts of arrays and maps: a corrupt count (one flipped
 * bit is enough) makes it loop billions of times or allocate a huge array, which
 * hangs or kills the process instead of failing the record. `guardedType`
 * rebuilds a writer type whose arrays and maps refuse a count larger than the
 * bytes left (every item of a type that cannot encode to zero bytes takes at
 * least one), so corrupt input fails fast as an ordinary error. avsc types are
 * frozen, hence subclasses installed through its `typeHook` rather than patches.
 */
import avro, { type Type } from 'avsc';

/** Items of a type that can encode to zero bytes (null, empty records) cannot be bounded by bytes. */
const MAX_EMPTY_ITEMS = 1_000_000;

interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
  readString(): string;
}
interface Readable {
  _read(tap: Tap): unknown;
}
type TypeConstructor = new (schema: unknown, opts: unknown) => Type;

const types = (avro as unknown as { types: Record<'ArrayType' | 'MapType', TypeConstructor> }).types;
const emptyItems = new WeakMap<Type, boolean>();
const clones = new WeakMap<Type, Type>();

function readBlockSize(tap: Tap, itemsCanBeEmpty: boolean): number {
  let n = tap.readLong();
  if (n < 0) {
    n = -n;
    tap.skipLong(); // the block's byte size, which avsc ignores too
  }
  const left = tap.buf.length - tap.pos;
  if (!Number.isSafeInteger(n) || n > (itemsCanBeEmpty ? MAX_EMPTY_ITEMS : left)) {
    throw new Error(`corrupt block count ${n} (${left} bytes left)`);
  }
  return n;
}

class GuardedArrayType extends types.ArrayType {
  _read(tap: Tap): unknown[] {
    const items = (this as unknown as { itemsType: Type }).itemsType;
    let empty = emptyItems.get(items);
    if (empty === undefined) emptyItems.set(items, (empty = canBeEmpty(items, new Set())));
    const out: unknown[] = [];
    for (let n = readBlockSize(tap, empty); n > 0; n = readBlockSize(tap, empty)) {
      while (n-- > 0) out.push((items as unknown as Readable)._read(tap));
    }
    return out;
  }
}

class GuardedMapType extends types.MapType {
  _read(tap: Tap): Record<string, unknown> {
    const values = (this as unknown as { valuesType: Readable }).valuesType;
    const out: Record<string, unknown> = {};
    // Every entry has a key, and a key takes at least its length byte.
    for (let n = readBlockSize(tap, false); n > 0; n = readBlockSize(tap, false)) {
      while (n-- > 0) {
        const key = tap.readString();
        out[key] = values._read(tap);
      }
    }
    return out;
  }
}

function typeHook(schema: unknown, opts: unknown): Type | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  const kind = (schema as { type?: unknown }).type;
  if (kind === 'array') return new GuardedArrayType(schema, opts);
  if (kind === 'map') return new GuardedMapType(schema, opts);
  return undefined;
}

/** The guarded equivalent of a writer type; built once per type and cached. */
export function guardedType(writer: Type): Type {
  let clone = clones.get(writer);
  if (clone === undefined) {
    const schema = writer.schema({ exportAttrs: true });
    clone = avro.Type.forSchema(schema, { typeHook });
    clones.set(writer, clone);
  }
  return clone;
}

function canBeEmpty(type: Type, seen: Set<Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  const node = type as unknown as { typeName: string; size?: number; fields?: { type: Type }[] };
  if (node.typeName === 'null') return true;
  if (node.typeName === 'fixed') return node.size === 0;
  if (node.typeName === 'record' || node.typeName === 'error')
    return (node.fields ?? []).every((f) => canBeEmpty(f.type, seen));
  return false;
}
