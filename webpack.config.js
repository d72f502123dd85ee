// Builds the Outlook task pane (addin/) into dist/addin: a hashed bundle and an HTML page per entry (the pane, the
// sign-in redirect page, the preview page and the pane inside it, the managers' dashboard).
// esbuild-loader transpiles TypeScript and JSX; type-checking is `npm run typecheck`.
const fs = require('node:fs');
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');

// The Outlook manifest: manifest.xml names https://localhost:3000 (the server under `npm start`); the build writes
// dist/addin/manifest.xml with that origin replaced by ADDIN_PUBLIC_URL (e.g. https://baton.contoso.com), and copies
// the icons it names (addin/assets → dist/addin/assets). A `.built` stamp records when and for which origin, so
// `npm start` knows whether to build again (server/cli/build-addin.ts).
const manifestOrigin = 'https://localhost:3000';

function addinPublicUrl() {
  const value = (process.env.ADDIN_PUBLIC_URL ?? '').trim();
  if (value === '') return manifestOrigin;
  let url;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (url === null || url.protocol !== 'https:' || url.origin !== value.replace(/\/+$/, '')) {
    throw new Error(`ADDIN_PUBLIC_URL must be an https origin without a path, such as https://baton.contoso.com (got "${value}")`);
  }
  return url.origin;
}

class AddinManifestPlugin {
  constructor(publicUrl) {
    this.publicUrl = publicUrl;
  }
  apply(compiler) {
    const { Compilation, sources } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('AddinManifestPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'AddinManifestPlugin', stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        const manifestFile = path.resolve(__dirname, 'manifest.xml');
        const assetsDir = path.resolve(__dirname, 'addin/assets');
        compilation.fileDependencies.add(manifestFile);
        compilation.contextDependencies.add(assetsDir);
        const manifest = fs.readFileSync(manifestFile, 'utf8').split(manifestOrigin).join(this.publicUrl);
        compilation.emitAsset('manifest.xml', new sources.RawSource(manifest));
        for (const name of fs.readdirSync(assetsDir).filter((file) => file.endsWith('.png'))) {
          compilation.emitAsset(`assets/${name}`, new sources.RawSource(fs.readFileSync(path.join(assetsDir, name))));
        }
        const stamp = { builtAt: new Date().toISOString(), publicUrl: this.publicUrl };
        compilation.emitAsset('.built', new sources.RawSource(`${JSON.stringify(stamp)}\n`));
      });
    });
  }
}

module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
  const publicUrl = addinPublicUrl();
  return {
    entry: {
      taskpane: './addin/taskpane/index.tsx',
      // The page MSAL's sign-in window returns to (a registered redirect URI of the add-in's app).
      'auth-redirect': './addin/auth/auth-redirect.ts',
      // The preview page (Outlook emulated against the sandbox) and the pane inside it, on the emulated Office.js.
      preview: './addin/preview/index.tsx',
      'preview-pane': './addin/preview/pane-entry.ts',
      // The managers' dashboard (the weekly report email links to it).
      dashboard: './addin/dashboard/index.tsx',
    },
    output: {
      path: path.resolve(__dirname, 'dist/addin'),
      filename: production ? '[name].[contenthash].js' : '[name].js',
      clean: true,
      publicPath: '/addin/',
    },
    resolve: { extensions: ['.tsx', '.ts', '.js'] },
    module: {
      rules: [{ test: /\.[jt]sx?$/, exclude: /node_modules/, loader: 'esbuild-loader', options: { target: 'es2020', jsx: 'automatic' } }],
    },
    plugins: [
      new HtmlWebpackPlugin({ filename: 'taskpane.html', template: './addin/taskpane/taskpane.html', chunks: ['taskpane'] }),
      new HtmlWebpackPlugin({ filename: 'auth-redirect.html', template: './addin/auth/auth-redirect.html', chunks: ['auth-redirect'] }),
      new HtmlWebpackPlugin({ filename: 'preview.html', template: './addin/preview/preview.html', chunks: ['preview'] }),
      new HtmlWebpackPlugin({ filename: 'preview-pane.html', template: './addin/preview/preview-pane.html', chunks: ['preview-pane'] }),
      new HtmlWebpackPlugin({ filename: 'dashboard.html', template: './addin/dashboard/dashboard.html', chunks: ['dashboard'] }),
      new AddinManifestPlugin(publicUrl),
    ],
    devtool: production ? 'source-map' : 'eval-cheap-module-source-map',
    // Size is watched by `npm run bench` (gzipped, goal ≤ 250 KB), not by webpack's raw-size hints.
    performance: { hints: false },
  };
};
module.exports.addinPublicUrl = addinPublicUrl;
