/** A mermaid flowchart of the services and their depends_on edges (`ss graph render --services`). */
import type { SystemModel } from '../config/model';

export function renderMermaid(model: SystemModel): string {
  const ids = new Map<string, string>();
  model.order.forEach((id, i) => ids.set(id, `s${i}`));
  const lines = ['flowchart LR'];
  for (const id of model.order) {
    const service = model.byId.get(id)!;
    const kind = service.provider ?? (typeof service.declaration.type === 'string' ? service.declaration.type : undefined);
    const label = kind ? `${id}<br/><small>${kind}</small>` : id;
    lines.push(`  ${ids.get(id)}["${escapeLabel(label)}"]`);
  }
  for (const id of model.order) {
    for (const dep of model.byId.get(id)!.dependsOn) {
      const target = ids.get(dep);
      if (target) lines.push(`  ${ids.get(id)} -->|depends on| ${target}`);
    }
  }
  return lines.join('\n') + '\n';
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, '#quot;');
}
