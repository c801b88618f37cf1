/** Elements that shortcuts focus or click, named once for the screens that render them and the keys. */

/** The Ask screen's question box (`/`). */
export const ASK_QUESTION_ID = 'ask-question';
/** The Ask screen's hidden file input (`U`). */
export const ASK_FILE_INPUT_ID = 'ask-file-input';
/** The Models screen's checkpoint folder field (`I`), as `[data-focus="import-path"]`. */
export const IMPORT_PATH_FOCUS = 'import-path';
