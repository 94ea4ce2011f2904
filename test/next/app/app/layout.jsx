import { TesseraProvider } from 'tessera-auth/next/client';

export const metadata = { title: 'Tessera Next fixture' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <TesseraProvider>{children}</TesseraProvider>
      </body>
    </html>
  );
}
