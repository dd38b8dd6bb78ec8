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
  const types: string[] = [];
  for (const line of block.text.split('\n')) {
    const field = /^\s+(\w+)\s+(\w+)/.exec(line);
    if (field) types.push(field[2]!);
  }
  return types;
}
