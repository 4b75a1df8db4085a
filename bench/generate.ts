/** Synthetic starsystem files for benchmarks: N services with depends_on chains. */

export function generateSystem(count: number): string {
  const lines = ['version: "2"', `name: bench-${count}`, 'services:'];
  for (let i = 0; i < count; i++) {
    const deps = i === 0 ? [] : i % 10 === 0 ? [`svc-${i - 1}`, `svc-${i - 10}`] : [`svc-${i - 1}`];
    lines.push(
      `  svc-${i}:`,
      `    type: process`,
      `    description: Service number ${i} of the benchmark system.`,
      `    command: node server.js --port=${3000 + i}`,
      `    depends_on: [${deps.join(', ')}]`,
      `    env:`,
      `      PORT: "${3000 + i}"`,
      `      TOKEN: "{{ vault('secrets.TOKEN_${i % 50}') }}"`,
      `    health_check:`,
      `      url: http://127.0.0.1:${3000 + i}/health`,
      `      interval: 500ms`,
    );
  }
  return lines.join('\n') + '\n';
}
