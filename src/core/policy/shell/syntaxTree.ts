import type { Tree } from 'web-tree-sitter';

/**
 * A plain-JS copy of a tree-sitter tree, made in one cursor pass, so the WASM tree can be freed at once and
 * nothing the analysis keeps (words refer to their nodes, and analyses are cached) points into freed WASM
 * memory. Offsets are UTF-16 indices into `source`.
 */
export class SyntaxNode {
  readonly children: SyntaxNode[] = [];
  private named: SyntaxNode[] | undefined;

  constructor(
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    readonly fieldName: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
    private readonly source: string,
  ) {}

  get text(): string {
    return this.source.slice(this.startIndex, this.endIndex);
  }

  get namedChildren(): SyntaxNode[] {
    this.named ??= this.children.filter((c) => c.isNamed);
    return this.named;
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  childForFieldName(name: string): SyntaxNode | null {
    return this.children.find((c) => c.fieldName === name) ?? null;
  }

  /** Every descendant of these types, in document order (iterative: trees can be thousands deep). */
  descendantsOfType(types: string | string[]): SyntaxNode[] {
    const wanted = typeof types === 'string' ? [types] : types;
    const out: SyntaxNode[] = [];
    const stack: SyntaxNode[] = [...this.children].reverse();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (wanted.includes(n.type)) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
    }
    return out;
  }

  /** Whether this node or any below it is an error or a missing token. */
  get hasError(): boolean {
    const stack: SyntaxNode[] = [this];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'ERROR' || n.isMissing) return true;
      stack.push(...n.children);
    }
    return false;
  }
}

export function copyTree(tree: Tree, source: string): SyntaxNode {
  const cursor = tree.walk();
  try {
    const make = () => new SyntaxNode(cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing, cursor.currentFieldName, cursor.startIndex, cursor.endIndex, source);
    const root = make();
    const path: SyntaxNode[] = [root];
    // Depth-first with an explicit path, so a 10,000-deep tree does not exhaust the stack.
    for (;;) {
      if (cursor.gotoFirstChild()) {
        const child = make();
        path.at(-1)!.children.push(child);
        path.push(child);
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return root;
        path.pop();
      }
      path.pop();
      const sibling = make();
      path.at(-1)!.children.push(sibling);
      path.push(sibling);
    }
  } finally {
    cursor.delete();
  }
}
