// esbuild's css loader extracts imported stylesheets into media/dist/webview.css.
declare module '*.css';
