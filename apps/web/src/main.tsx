import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { session } from './features/auth/model/use-session';
import { takeSignInFragment } from './features/auth/model/sign-in-fragment';
import './app/styles.css';

void session.restore(takeSignInFragment(window.location, window.history));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
