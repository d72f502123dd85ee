// Types for the part of mjml 5 that Baton uses (the package ships none; @types/mjml describes v4's sync API).
declare module 'mjml' {
  interface MjmlError {
    line: number;
    message: string;
    tagName: string;
    formattedMessage: string;
  }
  interface MjmlOptions {
    validationLevel?: 'strict' | 'soft' | 'skip';
    fonts?: Record<string, string>;
    keepComments?: boolean;
    ignoreIncludes?: boolean;
    beautify?: boolean;
    minify?: boolean;
  }
  function mjml2html(mjml: string, options?: MjmlOptions): Promise<{ html: string; errors: MjmlError[] }>;
  export = mjml2html;
}
