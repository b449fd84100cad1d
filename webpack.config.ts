// Extends the scaffolded config (.config/ is owned by create-plugin and rewritten by `create-plugin update`).
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';
import { merge } from 'webpack-merge';

import grafanaConfig, { type Env } from './.config/webpack/webpack.config.ts';

const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  return merge(baseConfig, {
    plugins: [
      // copyFiles.ts only copies the root plugin.json logos; the nested data source needs its own.
      // The generated dashboards (npm run dashboards) ship in the plugin: plugin.json `includes` lists them.
      new CopyWebpackPlugin({
        patterns: [
          { from: 'datasource/img', to: 'datasource/img' },
          { from: '../provisioning/dashboards/*.json', to: 'dashboards/[name][ext]' },
        ],
      }),
    ],
  });
};

export default config;
