using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Pipeline.Contracts;
using Pipeline.Imaging.Formats;
using Pipeline.Tests.Faults.Infrastructure;
using SkiaSharp;

namespace Pipeline.Tests.Faults.BadInput;

/// <summary>One hostile or unusual message.</summary>
/// <param name="ImageId">The id it announces; null when it has no usable one.</param>
/// <param name="Body">The message exactly as published.</param>
/// <param name="Reason">The failure reason the image must get; null when it must be described, or is parked.</param>
/// <param name="Says">Words a person needs in the failure message (for parked messages: in the recorded fault).</param>
/// <param name="Parked">Not a message the worker can key: it must go to <c>_error</c>, with no row and no event.</param>
/// <param name="Size">For pictures that must be described: the upright size the event must report.</param>
internal sealed record CorpusCase(
    string Name, string? ImageId, byte[] Body, string? Reason = null, string? Says = null, bool Parked = false, (int Width, int Height)? Size = null);

/// <summary>The bad-input corpus: generated here, except Debian's truncated.jpg (deploy/local/samples.sh).</summary>
internal static class Corpus
{
    private const string Owner = "owner-corpus";

    public static async Task<List<CorpusCase>> BuildAsync(BlobContainerClient container, CancellationToken cancellationToken)
    {
        async Task<Uri> UploadAsync(string name, byte[] bytes)
        {
            var blob = container.GetBlobClient(name);
            await blob.UploadAsync(new BinaryData(bytes), cancellationToken);
            return blob.Uri;
        }

        var random = new Random(7);
        var photo = Pictures.Encode(256, 256, 1, SKEncodedImageFormat.Jpeg);
        var png = Pictures.Encode(256, 256, 2);
        var (idat, idatLength) = HandMadeImages.FindIdat(png);
        var fifty = new byte[50 * 1024 * 1024];
        random.NextBytes(fifty);
        var fiveMegabytes = new byte[5 * 1024 * 1024];
        random.NextBytes(fiveMegabytes);
        var noise = new byte[4096];
        random.NextBytes(noise);
        // Phone formats: stored 300×200 with EXIF orientation 6 where the format stores one (upright 200×300).
        using var stored = SKBitmap.Decode(Pictures.Encode(300, 200, 6));
        var tiff = FormatEncoders.Encode(stored, ImageFormat.Tiff, 6);
        var avif = FormatEncoders.Encode(stored, ImageFormat.Avif, 6);
        var jxl = FormatEncoders.Encode(stored, ImageFormat.JpegXl, 6);
        var heic = FormatEncoders.Kept("quadrants.heic");

        return
        [
            // Must fail, each with its own reason and a sentence a person understands.
            Failing("empty-file", ImageSource.Inline([]), FailureReasons.EmptyFile, "empty"),
            Failing("random-bytes", ImageSource.Inline(noise), FailureReasons.UnrecognizedFormat, "not a recognised image format"),
            Failing("truncated-jpeg", ImageSource.Inline(photo[..(photo.Length / 2)]), FailureReasons.TruncatedImage, "truncated"),
            Failing("truncated-png", ImageSource.Inline(png[..(idat + idatLength / 2)]), FailureReasons.TruncatedImage, "truncated"),
            Failing("debian-truncated-jpg", ImageSource.Blob(await UploadAsync("truncated.jpg", await DebianTruncatedJpegAsync(cancellationToken))),
                FailureReasons.TruncatedImage, "truncated"),
            Failing("png-100000x100000", ImageSource.Inline(HandMadeImages.PngWithData(100_000, 100_000, 8, 2, HandMadeImages.ZlibOfZeros(1000))),
                FailureReasons.TooManyPixels, "100,000×100,000"),
            Failing("truncated-tiff", ImageSource.Inline(tiff[..(tiff.Length / 2)]), FailureReasons.TruncatedImage, "The TIFF file is truncated"),
            Failing("truncated-avif", ImageSource.Inline(avif[..(avif.Length / 2)]), FailureReasons.TruncatedImage, "The AVIF file is truncated"),
            // A bare JPEG XL codestream records no length: cut short, it reads as damaged.
            Failing("truncated-jxl", ImageSource.Inline(jxl[..(jxl.Length / 2)]), FailureReasons.CorruptImage, "The JPEG XL image data is corrupt"),
            Failing("truncated-heic", ImageSource.Inline(heic[..(heic.Length / 2)]), FailureReasons.TruncatedImage, "The HEIC file is truncated"),
            Failing("tiff-header-claims-60000-wide", ImageSource.Inline(FormatEncoders.TiffClaimingWidth(tiff, 60_000)), FailureReasons.TooManyPixels, "60,000×200"),
            // Stored turned (irot), so the upright size it declares is 40,000×50,000.
            Failing("avif-header-claims-50000x40000", ImageSource.Inline(FormatEncoders.HeifClaimingSize(avif, 50_000, 40_000)), FailureReasons.TooManyPixels, "40,000×50,000"),
            Failing("heic-header-claims-50000x40000", ImageSource.Inline(FormatEncoders.HeifClaimingSize(heic, 50_000, 40_000)), FailureReasons.TooManyPixels, "50,000×40,000"),
            Failing("50-mb-over-byte-cap", ImageSource.Blob(await UploadAsync("huge.png", fifty)), FailureReasons.TooManyBytes, "Sources:MaxBytes"),
            Failing("5-mb-inline-over-cap", ImageSource.Inline(fiveMegabytes), FailureReasons.TooManyBytes, "inline images are limited"),
            Failing("svg", ImageSource.Blob(await UploadAsync("drawing.svg", Encoding.UTF8.GetBytes(
                """<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="15" fill="teal"/></svg>"""))),
                FailureReasons.UnsupportedFormat, "SVG"),
            Failing("pdf", ImageSource.Blob(await UploadAsync("scan.pdf", Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"))),
                FailureReasons.UnsupportedFormat, "PDF"),
            Failing("text-named-jpg", ImageSource.Blob(await UploadAsync("holiday.jpg", Encoding.UTF8.GetBytes("Pictures from the holiday are on the shared drive.\n"))),
                FailureReasons.UnsupportedFormat, "text file"),
            Failing("missing-blob", ImageSource.Blob(container.GetBlobClient("never-uploaded.png").Uri), FailureReasons.BlobNotFound, "does not exist"),
            Failing("unknown-source-type", new ImageSource("ftp", new Uri("ftp://example.org/cat.png")), FailureReasons.UnknownSourceType, "'ftp'"),
            Failing("long-unknown-source-type", new ImageSource("presigned-https-url-v2", new Uri("https://example.org/cat.png")),
                FailureReasons.UnknownSourceType, "presigned-https-url-v2"),
            new("content-hash-mismatch", "corpus-content-hash-mismatch",
                Broker.Json(new ImageUploaded("corpus-content-hash-mismatch", Owner, ImageSource.Inline(png), new string('0', 64))),
                FailureReasons.ContentHashMismatch, "SHA-256"),
            Keyed("no-owner", new { imageId = "corpus-no-owner", source = new { type = "inline", data = Convert.ToBase64String(png) } },
                FailureReasons.InvalidMessage, "ownerId"),
            // Keyable, so failed rows and events, not parked: a source of the wrong shape, inline data that is not base64.
            Keyed("wrong-shape", new { imageId = "corpus-wrong-shape", ownerId = Owner, source = "inline" }, FailureReasons.InvalidMessage, "source is a JSON string"),
            Keyed("inline-garbage", new { imageId = "corpus-inline-garbage", ownerId = Owner, source = new { type = "inline", data = "not base64 at all!" } },
                FailureReasons.InvalidInlineData, "is not a base64 character"),
            Keyed("inline-bad-padding", new { imageId = "corpus-inline-bad-padding", ownerId = Owner, source = new { type = "inline", data = Convert.ToBase64String(png) + "=" } },
                FailureReasons.InvalidInlineData, "padding"),
            Keyed("inline-base64url", new { imageId = "corpus-inline-base64url", ownerId = Owner, source = new { type = "inline", data = Base64Url(png) } },
                FailureReasons.InvalidInlineData, "base64url"),

            // Cannot be keyed: parked in _error on arrival, never joining (and failing) a batch.
            new("not-json", null, "this is not JSON {"u8.ToArray(), Parked: true),
            Unkeyed("no-image-id", new { ownerId = Owner, source = new { type = "inline", data = Convert.ToBase64String(png) } }, "no imageId"),
            Unkeyed("image-id-too-long", new { imageId = new string('x', 201), ownerId = Owner, source = new { type = "inline", data = Convert.ToBase64String(png) } },
                "201 characters"),
            Unkeyed("image-id-control-characters", new { imageId = "corpus-forged\ninfo: log line", ownerId = Owner, source = new { type = "inline", data = Convert.ToBase64String(png) } },
                "control characters"),

            // Unusual but valid: described like any other picture.
            Described("1x1-pixel", Pictures.Encode(1, 1, 3), (1, 1)),
            Described("cmyk-jpeg", CmykJpeg.Encode(8, 6, (x, y) => [(byte)(x * 30), (byte)(y * 40), (byte)(255 - x * 30), (byte)(y * 10)]), (64, 48)),
            Described("16-bit-png", HandMadeImages.Png(40, 30, 16, 2, RandomBytes(random, 40 * 30 * 6), 40 * 6), (40, 30)),
            Described("gray-alpha-png", HandMadeImages.Png(30, 20, 8, 4, RandomBytes(random, 30 * 20 * 2), 30 * 2), (30, 20)),
            Described("gif-1000-frames", HandMadeImages.AnimatedGif(32, 32, 1000, SKColors.Red, SKColors.Blue, SKColors.Lime, SKColors.Yellow), (32, 32)),
            // Stored 300×200 with EXIF orientation 6 (turn 90° clockwise to view): upright it is 200×300.
            Described("exif-rotated-jpeg", HandMadeImages.JpegWithOrientation(Pictures.Encode(300, 200, 4, SKEncodedImageFormat.Jpeg), 6), (200, 300)),
            Described("exif-rotated-tiff", tiff, (200, 300)),
            Described("exif-rotated-avif", avif, (200, 300)),
            Described("exif-rotated-jxl", jxl, (200, 300)),
            Described("heic", heic, (64, 48)),
            Described("panorama-12000x200", Pictures.Encode(12_000, 200, 5), (12_000, 200)),
        ];
    }

    /// <summary>A good picture to sit in the same batch as a case.</summary>
    public static CorpusCase Neighbour(string name, int seed) =>
        Described(name, Pictures.Encode(48, 36, 100 + seed), (48, 36));

    private static CorpusCase Failing(string name, ImageSource source, string reason, string says) =>
        new(name, "corpus-" + name, Broker.Json(new ImageUploaded("corpus-" + name, Owner, source)), reason, says);

    private static CorpusCase Described(string name, byte[] picture, (int, int) size) =>
        new(name, "corpus-" + name, Broker.Json(new ImageUploaded("corpus-" + name, Owner, ImageSource.Inline(picture))), Size: size);

    private static CorpusCase Keyed(string name, object body, string reason, string says) =>
        new(name, "corpus-" + name, JsonSerializer.SerializeToUtf8Bytes(body), reason, says);

    private static CorpusCase Unkeyed(string name, object body, string says) =>
        new(name, null, JsonSerializer.SerializeToUtf8Bytes(body), Says: says, Parked: true);

    /// <summary>The URL-safe alphabet without padding, as JWT libraries write it: a producer's likely mistake.</summary>
    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> DebianTruncatedJpegAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(FaultServices.RepositoryRoot, ".local", "samples", "truncated.jpg");
        return File.Exists(path)
            ? await File.ReadAllBytesAsync(path, cancellationToken)
            : throw new InvalidOperationException($"{path} is missing: run deploy/local/samples.sh (scripts/test.sh does).");
    }
}
