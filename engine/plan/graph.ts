/**
 * The dependency graph of services: a stable topological order (file order among equals)
 * and the cycles that prevent one.
 */

export interface GraphInput {
  /** Service ids in file order. */
  ids: readonly string[];
  /** Each service's dependencies (ids that do not exist are ignored). */
  dependsOn: (id: string) => readonly string[];
}

export interface GraphResult {
  /** Every id, dependencies first; services on a cycle come last, in file order. */
  order: string[];
  /** Each cycle as a path that returns to its start: ["a", "b", "a"]. */
  cycles: string[][];
}

export function analyzeGraph(input: GraphInput): GraphResult {
  const index = new Map<string, number>();
  input.ids.forEach((id, i) => index.set(id, i));
  const edges = new Map<string, string[]>();
  for (const id of input.ids) {
    // Known, distinct dependencies; a service has a handful, so a list beats a Set per service.
    const list: string[] = [];
    for (const d of input.dependsOn(id)) if (index.has(d) && !list.includes(d)) list.push(d);
    edges.set(id, list);
  }

  // Kahn's algorithm; ready services are taken in file order so the order is stable.
  const remaining = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const id of input.ids) {
    const deps = edges.get(id)!.filter((d) => d !== id);
    remaining.set(id, deps.length + (edges.get(id)!.includes(id) ? 1 : 0));
    for (const d of deps) {
      let list = dependants.get(d);
      if (!list) dependants.set(d, (list = []));
      list.push(id);
    }
  }
  // The heap holds file positions: comparing numbers, not looking ids up on every comparison.
  const ready = new MinHeap((a: number, b: number) => a - b);
  input.ids.forEach((id, i) => {
    if (remaining.get(id) === 0) ready.push(i);
  });
  const order: string[] = [];
  while (ready.size > 0) {
    const id = input.ids[ready.pop()!]!;
    order.push(id);
    for (const dependant of dependants.get(id) ?? []) {
      const left = remaining.get(dependant)! - 1;
      remaining.set(dependant, left);
      if (left === 0) ready.push(index.get(dependant)!);
    }
  }
  const cycles: string[][] = [];
  if (order.length < input.ids.length) {
    const placed = new Set(order);
    const stuck = input.ids.filter((id) => !placed.has(id));
    order.push(...stuck);
    cycles.push(...findCycles(stuck, edges));
  }
  return { order, cycles };
}

/** One simple cycle per strongly connected component (Tarjan), each starting at its first id in file order. */
function findCycles(ids: string[], edges: Map<string, string[]>): string[][] {
  const inSet = new Set(ids);
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  // Iterative Tarjan, so thousands of services in a chain cannot overflow the call stack.
  for (const root of ids) {
    if (indexOf.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    indexOf.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = (edges.get(frame.id) ?? []).filter((t) => inSet.has(t));
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!indexOf.has(target)) {
          indexOf.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ id: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, indexOf.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!;
        low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      }
      if (low.get(frame.id) === indexOf.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        const selfLoop = component.length === 1 && (edges.get(component[0]!) ?? []).includes(component[0]!);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }

  const position = new Map(ids.map((id, i) => [id, i]));
  return components
    .map((component) => {
      const members = new Set(component);
      const start = component.reduce((a, b) => (position.get(a)! <= position.get(b)! ? a : b));
      return shortestCycle(start, members, edges);
    })
    .sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!);
}

/** The shortest path from `start` back to itself inside a component (breadth-first). */
function shortestCycle(start: string, members: Set<string>, edges: Map<string, string[]>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    for (const target of edges.get(id) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at: string | undefined = id; at !== undefined && at !== start; at = previous.get(at)) path.splice(1, 0, at);
        path.push(start);
        return path;
      }
      if (!previous.has(target)) {
        previous.set(target, id);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}
  get size(): number {
    return this.items.length;
  }
  push(item: T): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.compare(a[i]!, a[parent]!) >= 0) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.compare(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.compare(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
