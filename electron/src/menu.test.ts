import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildMenuTemplate, type MenuOptions } from './menu.js';

function build(overrides: Partial<MenuOptions> = {}) {
  const calls: string[] = [];
  const template = buildMenuTemplate({
    appName: 'Emu3 Studio',
    platform: 'linux',
    isPackaged: false,
    actions: {
      importModel: () => calls.push('importModel'),
      openMedia: () => calls.push('openMedia'),
      showShortcuts: () => calls.push('showShortcuts'),
    },
    ...overrides,
  });
  return { template, calls };
}

/** Every item in the menu, depth first. */
function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}
const roles = (template: MenuItemConstructorOptions[]) => items(template).flatMap((item) => item.role ?? []);
const byLabel = (template: MenuItemConstructorOptions[], label: string) =>
  items(template).find((item) => item.label === label);

describe('buildMenuTemplate', () => {
  it('has File, Edit, View and Help, with Quit in File off macOS', () => {
    const { template } = build();
    expect(template.map((item) => item.label ?? item.role)).toEqual(['File', 'Edit', 'View', 'help']);
    const file = template[0]!.submenu as MenuItemConstructorOptions[];
    expect(file.map((item) => item.label ?? item.role ?? item.type)).toEqual([
      'Import model…',
      'Open image/video…',
      'separator',
      'quit',
    ]);
    expect(roles(template)).toEqual(
      expect.arrayContaining(['undo', 'copy', 'paste', 'reload', 'resetZoom', 'zoomIn', 'zoomOut']),
    );
  });

  it('puts the app menu first on macOS, with Quit there', () => {
    const { template } = build({ platform: 'darwin' });
    expect(template[0]!.label).toBe('Emu3 Studio');
    expect(roles([template[0]!])).toContain('quit');
    expect(roles([template[1]!])).toEqual(['close']);
  });

  it('offers dev tools only when not packaged', () => {
    expect(roles(build().template)).toContain('toggleDevTools');
    expect(roles(build({ isPackaged: true }).template)).not.toContain('toggleDevTools');
  });

  it('routes the page-side items to the actions', () => {
    const { template, calls } = build();
    for (const label of ['Import model…', 'Open image/video…', 'Keyboard shortcuts']) {
      const click = byLabel(template, label)?.click as () => void;
      click();
    }
    expect(calls).toEqual(['importModel', 'openMedia', 'showShortcuts']);
    expect(byLabel(template, 'Keyboard shortcuts')?.accelerator).toBe('F1');
  });
});
