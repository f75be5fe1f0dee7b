// Side-effect stylesheet imports are handled by Vite, which emits a .css file.
declare module '*.css';
