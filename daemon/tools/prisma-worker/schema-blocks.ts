/**
 * A Prisma schema file as its top-level blocks, for telling which models a change touched
 * (dmmf-splice.ts). Pure. Each block carries the text before it (comments, `///` documentation,
 * blank lines), so any edit lands in exactly one block; a file whose lines are not all blocks,
 * comments or blank lines is not split (undefined), and callers do the whole work instead.
 */

export type BlockKind = 'model' | 'view' | 'enum' | 'type' | 'generator' | 'datasource';

export interface SchemaBlock {
  kind: BlockKind;
  name: string;
  /** The block's text with what precedes it since the last block. */
  text: string;
}

export interface SchemaBlocks {
  blocks: SchemaBlock[];
  /** Text after the last block. */
  tail: string;
}

const OPENING = /^(model|view|enum|type|generator|datasource)\s+(\w+)\s*\{\s*$/;
const CLOSING = /^\}\s*$/;
const FILLER = /^\s*(\/\/.*)?$/;
/** A field line: its name and its type's name. */
const FIELD = /^\s+(\w+)\s+(\w+)/;

/** The blocks of `text`, or undefined when a line outside them is neither blank nor a comment. */
export function schemaBlocks(text: string): SchemaBlocks | undefined {
  const lines = text.split('\n');
  const blocks: SchemaBlock[] = [];
  let start = 0;
  let open: { kind: BlockKind; name: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (open) {
      if (!CLOSING.test(line)) continue;
      blocks.push({ ...open, text: lines.slice(start, i + 1).join('\n') });
      start = i + 1;
      open = undefined;
      continue;
    }
    const opening = OPENING.exec(line);
    if (opening) open = { kind: opening[1] as BlockKind, name: opening[2]! };
    else if (!FILLER.test(line)) return undefined;
  }
  if (open) return undefined;
  return { blocks, tail: lines.slice(start).join('\n') };
}

/**
 * The types a model block's fields name (`posts Post[]` → Post), attributes and comments left out.
 * Enough to find its relation fields: those whose type is a model. (Block openings, closings and
 * comments are not indented field lines.)
 */
export function fieldTypes(block: SchemaBlock): string[] {
  return block.text.split('\n').flatMap((line) => FIELD.exec(line)?.[2] ?? []);
}

/** `block` without the fields whose type `drop` says to leave out (its relations to other models). */
export function withoutFields(block: SchemaBlock, drop: (type: string) => boolean): SchemaBlock {
  const text = block.text
    .split('\n')
    .filter((line) => {
      const type = FIELD.exec(line)?.[2];
      return type === undefined || !drop(type);
    })
    .join('\n');
  return { ...block, text };
}
