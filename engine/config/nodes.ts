/** Finding nodes in a YAML tree by a path of keys and indexes. */
import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';

export type NodePath = readonly (string | number)[];

export interface Located {
  /** The node at the path: undefined when the path does not exist, null for an empty value. */
  node?: Node | null;
  /** The key node of the last path segment, when the key exists. */
  key?: Scalar;
  /** The deepest node that exists along the path, and the nearest key on the way. */
  nearest: Node | null;
  nearestKey?: Scalar;
  /** The mapping that holds (or would hold) the last path segment. */
  parentMap?: YAMLMap;
}

export function locate(root: Node | null, path: NodePath, ownerKey?: Scalar): Located {
  let node: Node | null = root;
  let key: Scalar | undefined = ownerKey;
  let nearest: Node | null = root;
  let nearestKey: Scalar | undefined = ownerKey;
  let parentMap: YAMLMap | undefined;
  for (const segment of path) {
    parentMap = isMap(node) ? (node as YAMLMap) : undefined;
    if (isMap(node)) {
      const pair = (node as YAMLMap).items.find((p) => isScalar(p.key) && String((p.key as Scalar).value) === String(segment));
      if (!pair) return { nearest, nearestKey, parentMap };
      key = pair.key as Scalar;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return { nearest, nearestKey };
      node = item;
      key = undefined;
    } else {
      return { nearest, nearestKey };
    }
    nearest = node ?? nearest;
    if (key) nearestKey = key;
  }
  return { node, key, nearest, nearestKey, parentMap };
}

/** [start, end) of a node's value, without trailing comments or whitespace. */
export function span(node: { range?: [number, number, number] | null } | null | undefined): [number, number] | undefined {
  return node?.range ? [node.range[0], node.range[1]] : undefined;
}
