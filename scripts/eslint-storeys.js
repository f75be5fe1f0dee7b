// Lantern's storeys, kept by the linter (see docs/ARCHITECTURE.md). Each file's storey may import
// only from the storeys listed for it; the import's path is resolved, so `../../http/app.ts` and
// `../http/app.ts` are judged alike wherever they are written. Tests, test kits and the harness
// may reach any storey (they build whole apps); bench/ and scripts/ are not part of the house.
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The storey a file belongs to, or null when it is outside the house's rules. */
function storeyOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (rel === 'src/config.ts') return 'config';
  if (rel === 'src/features.ts') return 'feature-list';
  if (rel === 'src/main.ts') return 'entry';
  const [top, second] = rel.split('/');
  if (top === 'web' && second === 'src') return 'web';
  if (top !== 'src') return null;
  switch (second) {
    case 'platform':
    case 'core':
    case 'shared':
    case 'features':
    case 'http':
      return second;
    case 'cli':
    case 'jobs':
    case 'demo':
      return 'entry';
    case 'test':
      return 'test';
    default:
      return null;
  }
}

const BELOW = {
  config: [],
  shared: ['shared'],
  platform: ['config', 'platform'],
  core: ['config', 'platform', 'shared', 'core'],
  features: ['config', 'platform', 'shared', 'core', 'features'],
  http: ['config', 'platform', 'shared', 'core', 'features', 'http'],
  'feature-list': ['core', 'features'],
  entry: ['config', 'platform', 'shared', 'core', 'features', 'http', 'feature-list', 'entry'],
  web: ['web', 'shared'],
};

const isTestFile = (file) => /\.test\.tsx?$|-test-kit\.ts$/.test(file);

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'An import may not run up a storey (platform < core < features < http).' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = storeyOf(file);
    if (from === null || from === 'test' || isTestFile(file)) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      const to = storeyOf(target);
      if (to === null && from !== 'web') return;
      if (to !== null && BELOW[from].includes(to)) return;
      const where = path.relative(ROOT, target).split(path.sep).join('/');
      context.report({
        node,
        message:
          from === 'web'
            ? `The web app may import only web/src/ and src/shared/, not ${where}.`
            : `${from} may not import ${where} (${to ?? 'outside the house'}): an import may only ` +
              `reach ${BELOW[from].join(', ')}. Move the shared part down a storey instead.`,
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) =>
        node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { storeys: rule } };
