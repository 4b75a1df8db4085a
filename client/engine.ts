/**
 * The engine as the extension uses it: the operations from engine/ops, run in-process with
 * the settings' home and environment, one age vault per home sharing one redactor (so the
 * output channel masks every secret any operation has touched), and a password input box
 * when the vault's identity is protected by a passphrase.
 */
import { window } from 'vscode';
import type { OpsOptions } from '../engine/ops/index';
import { createRedactor } from '../engine/vault/redact';
import { openVault, type AgeVault } from '../engine/vault/store';
import type { Redactor } from '../engine/vault/types';
import { activeEnvironment, engineProcessEnv, readSettings, type StarsystemSettings } from './settings';

export class Engine {
  /** Masks every secret value any vault of this session has handed out or stored. */
  readonly redactor: Redactor = createRedactor();
  private readonly vaults = new Map<string, AgeVault>();

  settings(): StarsystemSettings {
    return readSettings();
  }

  /** The environment runs use ("local" unless one is selected). */
  environment(): string {
    return activeEnvironment(this.settings());
  }

  vault(settings = this.settings()): AgeVault {
    let vault = this.vaults.get(settings.home);
    if (!vault) {
      vault = openVault({
        home: settings.home,
        env: engineProcessEnv(settings),
        redactor: this.redactor,
        passphrase: async ({ path }) =>
          window.showInputBox({
            title: 'Starsystem vault',
            prompt: `Passphrase of the vault identity ${path}`,
            password: true,
            ignoreFocusOut: true,
          }),
      });
      this.vaults.set(settings.home, vault);
    }
    return vault;
  }

  /** Options every operation on the system at `configPath` starts from. */
  options(configPath: string, extra: Partial<OpsOptions> = {}): OpsOptions {
    const settings = this.settings();
    return {
      file: configPath,
      // No explicit environment means the default one, whose overlay is optional.
      env: settings.environment || undefined,
      home: settings.home,
      processEnv: engineProcessEnv(settings),
      vault: this.vault(settings),
      command: extra.command,
      ...extra,
    };
  }
}
