import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { extract, type Header, pack } from "tar-stream";

const gzipAsync = promisify(gzip);

export interface TarMember {
  /** Path inside the tar, "/"-separated. */
  name: string;
  data: Uint8Array;
}

export interface TarEntry {
  header: Header;
  data: Uint8Array;
}

/**
 * An uncompressed ustar archive of `members` in the given order. Every attribute that would vary between machines or
 * runs (mtime, owner, mode) is fixed, so equal members give equal bytes.
 */
export async function packTar(members: readonly TarMember[]): Promise<Uint8Array> {
  const tar = pack();
  const chunks: Uint8Array[] = [];
  // Drain while writing: the pack stream holds back entry callbacks until its output is read.
  const drain = async () => {
    for await (const chunk of tar) chunks.push(chunk as Uint8Array);
  };
  const write = async () => {
    for (const member of members) {
      await new Promise<void>((resolve, reject) => {
        const header = {
          name: member.name,
          size: member.data.byteLength,
          type: "file" as const,
          mode: 0o644,
          mtime: new Date(0),
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
        };
        tar.entry(header, member.data, (error) => (error ? reject(error) : resolve()));
      });
    }
    tar.finalize();
  };
  await Promise.all([drain(), write()]);
  return Buffer.concat(chunks);
}

/**
 * gzip with a header that does not depend on the machine: zlib already writes mtime 0 and no file name; the OS byte
 * (offset 9) follows the platform Node was built for, so it is pinned to 3 (Unix), as gzip and pigz write on Linux.
 * The compressed bytes are identical for the same zlib build; digests are taken over the uncompressed tar.
 */
export async function gzipDeterministic(data: Uint8Array): Promise<Uint8Array> {
  const out = await gzipAsync(data, { level: 9 });
  out[9] = 3;
  return out;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Whether `bytes` starts like a tar: a 512-byte header whose checksum field matches, or the all-zero end-of-archive
 * block of an empty tar. Checked before parsing so that a non-tar is reported as such, not as a parser failure.
 */
export function looksLikeTar(bytes: Uint8Array): boolean {
  if (bytes.length < 512) return false;
  const block = bytes.subarray(0, 512);
  if (block.every((b) => b === 0)) return true;
  const stored = Number.parseInt(
    Buffer.from(block.subarray(148, 156)).toString("latin1").replaceAll("\0", " ").trim(),
    8,
  );
  let sum = 0;
  // The checksum is the byte sum of the header with its own 8-byte field counted as spaces.
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === stored;
}

/** Every entry of an uncompressed tar, with pax and GNU long names already applied by tar-stream. */
export async function unpackTar(tar: Uint8Array): Promise<TarEntry[]> {
  // Pre-POSIX (v7) headers have no ustar magic; Go's archive/tar, which flytectl uses, reads them too.
  const reader = extract({ allowUnknownFormat: true } as Parameters<typeof extract>[0]);
  const entries: TarEntry[] = [];
  const read = (async () => {
    for await (const entry of reader) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of entry) chunks.push(chunk as Uint8Array);
      entries.push({ header: entry.header, data: Buffer.concat(chunks) });
    }
  })();
  reader.end(tar);
  await read;
  return entries;
}
