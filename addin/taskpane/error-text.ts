// How a failure reads in the pane: a short title and a message a user can act on, for an ApiError, an Office
// sign-in error or anything else thrown. Imports only the add-in's ApiError (not the client, so the first chunk stays small).
import { ApiError } from '../api/api-error';

export interface ErrorText {
  title: string;
  message: string;
}

function titleOf(error: ApiError): string {
  if (error.code === 'network') return "Can't reach Baton";
  if (error.code === 'token' || error.status === 401) return 'Sign-in failed';
  if (error.status === 403) return 'Not allowed';
  if (error.status === 404) return 'Not found';
  if (error.status === 409) return 'Could not save';
  if (error.status >= 500) return 'Baton had a problem';
  return 'Something went wrong';
}

export function errorText(error: unknown): ErrorText {
  if (error instanceof ApiError) return { title: titleOf(error), message: error.message };
  if (error instanceof Error && error.message !== '') return { title: 'Something went wrong', message: error.message };
  return { title: 'Something went wrong', message: 'An unexpected error occurred. Reload the add-in and try again.' };
}
