// Builds the Outlook task pane (addin/) into dist/addin: a hashed bundle and an HTML page per entry (the pane, the
// sign-in redirect page).
// esbuild-loader transpiles TypeScript and JSX; type-checking is `npm run typecheck`.
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');

module.exports = (_env, argv) => {
  const production = argv.mode !== 'development';
  return {
    entry: {
      taskpane: './addin/taskpane/index.tsx',
      // The page MSAL's sign-in window returns to (a registered redirect URI of the add-in's app).
      'auth-redirect': './addin/auth/auth-redirect.ts',
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
    ],
    devtool: production ? 'source-map' : 'eval-cheap-module-source-map',
    // Size is watched by `npm run bench` (gzipped, goal ≤ 250 KB), not by webpack's raw-size hints.
    performance: { hints: false },
  };
};
