// A failure as the pane shows it: a Fluent MessageBar with a title, a message a user can act on and, when given, a
// Retry action. Every API or Office failure ends here, never in a silent no-op. Imports React, Fluent UI, ./error-text.
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { errorText } from './error-text';

export function ErrorBar({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }): React.JSX.Element {
  const text = errorText(error);
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title ?? text.title}</MessageBarTitle>
        {text.message}
      </MessageBarBody>
      {onRetry !== undefined && (
        <MessageBarActions>
          <Button size="small" onClick={onRetry}>
            Retry
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

/** A short notice: a warning, a success or a plain piece of information. */
export function Notice({ intent, title, children }: { intent: 'info' | 'warning' | 'success'; title?: string; children: React.ReactNode }): React.JSX.Element {
  return (
    <MessageBar intent={intent} layout="multiline">
      <MessageBarBody>
        {title !== undefined && <MessageBarTitle>{title}</MessageBarTitle>}
        {children}
      </MessageBarBody>
    </MessageBar>
  );
}
