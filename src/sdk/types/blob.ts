import { create } from "@bufbuild/protobuf";
import type { Literal, LiteralType } from "../../idl/index.js";
import { BlobType_BlobDimensionality as Dimensionality, LiteralTypeSchema } from "../../idl/index.js";
import { literalMismatch, textMismatch, valueMismatch } from "./errors.js";
import { scalarLiteral, scalarOf, unpack } from "./literal.js";
import { type Json, type JsonObject, Type } from "./type.js";
import { isPlainObject } from "./values.js";

/**
 * A file or directory: its value is a local path or a blob URI (s3://, gs://, ...), the literal a
 * Blob with format "" like flytekit's plain FlyteFile / FlyteDirectory. Moving the data is not a
 * type's job: the runtime uploads and downloads.
 */
abstract class BlobValueType extends Type<string> {
  protected abstract readonly dimensionality: Dimensionality;
  /** The dataclass flytekit serializes in its place inside a struct: `{"path": uri}`. */
  protected abstract readonly pythonClass: string;

  literalType(): LiteralType {
    return create(LiteralTypeSchema, { type: { case: "blob", value: this.blobType() } });
  }

  toLiteral(value: string): Literal {
    return scalarLiteral({ case: "blob", value: { metadata: { type: this.blobType() }, uri: this.check(value) } });
  }

  fromLiteral(literal: Literal): string {
    const packed = unpack(literal, this.name);
    if (packed) return this.fromFieldJson(packed.value);
    const scalar = scalarOf(literal);
    if (scalar?.case === "blob" && (scalar.value.metadata?.type?.dimensionality ?? 0) === this.dimensionality) {
      return this.check(scalar.value.uri);
    }
    throw literalMismatch(this.name, literal);
  }

  fromText(text: string): string {
    if (text === "") throw textMismatch(`${this.name} (a path or URI)`, text);
    return text;
  }

  fromJson(json: Json): string {
    return this.check(json);
  }

  toJson(value: string): Json {
    return this.check(value);
  }

  toFieldJson(value: string): Json {
    return { path: this.check(value) };
  }

  fromFieldJson(value: unknown): string {
    if (!isPlainObject(value)) throw valueMismatch(`${this.name} ({"path": ...})`, value);
    return this.check(value.path);
  }

  fieldSchema(): JsonObject {
    return {
      type: "object",
      title: this.pythonClass,
      properties: { path: { type: "string" } },
      additionalProperties: false,
      required: ["path"],
    };
  }

  private blobType() {
    return { format: "", dimensionality: this.dimensionality };
  }

  private check(value: unknown): string {
    if (typeof value !== "string" || value === "") throw valueMismatch(`${this.name} (a path or URI)`, value);
    return value;
  }
}

/** file: a single blob (flytekit's FlyteFile). */
export class FileType extends BlobValueType {
  readonly name = "file";
  readonly tag = "FlyteFilePath";
  protected readonly dimensionality = Dimensionality.SINGLE;
  protected readonly pythonClass = "FlyteFile";
}

/** directory: a multipart blob (flytekit's FlyteDirectory). */
export class DirectoryType extends BlobValueType {
  readonly name = "directory";
  readonly tag = "FlyteDirectory";
  protected readonly dimensionality = Dimensionality.MULTIPART;
  protected readonly pythonClass = "FlyteDirectory";
}
