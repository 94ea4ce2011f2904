export default function Home() {
  return <p id="home">Public page</p>;
}
