using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Pipeline.Api.Hosting;
using Pipeline.Api.Owners;
using Pipeline.Contracts;
using Pipeline.Imaging;
using Pipeline.Imaging.Formats;

namespace Pipeline.Api.Uploads;

/// <summary>
/// Reads images from a request — the raw body with its content type (id from <c>?id=</c>), or a multipart form
/// (<c>file</c> parts, optional <c>id</c> fields in the same order) — and checks them before anything is stored:
/// empty, over <see cref="ApiOptions.MaxImageBytes"/>, or not a PNG/JPEG/WebP/GIF/BMP signature is refused whole.
/// </summary>
public sealed class UploadReader(IOptions<ApiOptions> options)
{
    private readonly ApiOptions _options = options.Value;

    public async Task<(IReadOnlyList<IncomingImage>? Images, ProblemHttpResult? Problem)> ReadAsync(
        HttpRequest request, int maxImages, CancellationToken cancellationToken)
    {
        if (request.ContentLength > _options.MaxRequestBytes)
        {
            return (null, ApiProblems.TooLarge($"The request has {request.ContentLength:N0} bytes; the limit is {_options.MaxRequestBytes:N0} (Api:MaxRequestBytes)."));
        }

        return request.HasFormContentType
            ? await ReadFormAsync(request, maxImages, cancellationToken).ConfigureAwait(false)
            : await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(IReadOnlyList<IncomingImage>?, ProblemHttpResult?)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > _options.MaxImageBytes)
        {
            return (null, TooLarge("The request body"));
        }

        var bytes = await ReadCappedAsync(request.Body, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return (null, TooLarge("The request body"));
        }

        var problem = Check(bytes, "The request body") ?? CheckId(request.Query["id"].ToString());
        return problem is null
            ? ([Accept(request.Query["id"].ToString(), bytes)], null)
            : (null, problem);
    }

    private async Task<(IReadOnlyList<IncomingImage>?, ProblemHttpResult?)> ReadFormAsync(
        HttpRequest request, int maxImages, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            return (null, ApiProblems.BadRequest($"The multipart form cannot be read: {e.Message}"));
        }

        var files = form.Files;
        var ids = form["id"];
        if (files.Count == 0)
        {
            return (null, ApiProblems.BadRequest("The form has no file part: send the image as a 'file' part.", FailureReasons.EmptyFile));
        }

        if (files.Count > maxImages)
        {
            return (null, ApiProblems.BadRequest($"The form has {files.Count} files; at most {maxImages} are accepted in one request."));
        }

        if (ids.Count != 0 && ids.Count != files.Count)
        {
            return (null, ApiProblems.BadRequest($"The form has {files.Count} files but {ids.Count} 'id' fields: give one id per file, in order, or none."));
        }

        var images = new List<IncomingImage>(files.Count);
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            if (file.Length > _options.MaxImageBytes)
            {
                return (null, TooLarge($"The file '{file.FileName}'"));
            }

            var bytes = new byte[file.Length];
            await using (var stream = file.OpenReadStream())
            {
                await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            }

            var id = ids.Count == 0 ? null : ids[i];
            if ((Check(bytes, $"The file '{file.FileName}'") ?? CheckId(id)) is { } problem)
            {
                return (null, problem);
            }

            images.Add(Accept(id, bytes));
        }

        var duplicate = images.GroupBy(image => image.ImageId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null
            ? (images, null)
            : (null, ApiProblems.BadRequest($"The id '{duplicate.Key}' is given to more than one file."));
    }

    private static ProblemHttpResult? Check(byte[] bytes, string what)
    {
        if (bytes.Length == 0)
        {
            return ApiProblems.BadRequest($"{what} is empty (0 bytes).", FailureReasons.EmptyFile);
        }

        if (FormatSniffer.ImageMediaType(bytes) is not null)
        {
            return null;
        }

        return FormatSniffer.DescribeNonImage(bytes) is { } nonImage
            ? ApiProblems.BadRequest($"{what} is {nonImage}, not a picture this service can describe; send {ImageFormat.Accepted}.", FailureReasons.UnsupportedFormat)
            : ApiProblems.BadRequest($"{what} is not a recognised image format (no {ImageFormat.Accepted} signature).", FailureReasons.UnrecognizedFormat);
    }

    private static ProblemHttpResult? CheckId(string? id) =>
        string.IsNullOrEmpty(id) || ImageIds.IsValidImageId(ImageIds.Normalize(id))
            ? null
            : ApiProblems.BadRequest($"The image id '{id}' is not valid: it must be {ImageIds.ImageRule}.");

    private static IncomingImage Accept(string? id, byte[] bytes) => new(
        string.IsNullOrEmpty(id) ? Guid.NewGuid().ToString("N") : ImageIds.Normalize(id),
        bytes,
        FormatSniffer.ImageMediaType(bytes)!,
        Convert.ToHexStringLower(SHA256.HashData(bytes)));

    /// <summary>The body, or null as soon as it passes the limit (a chunked body declares no length up front).</summary>
    private async Task<byte[]?> ReadCappedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _options.MaxImageBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private ProblemHttpResult TooLarge(string what) =>
        ApiProblems.TooLarge($"{what} is larger than {_options.MaxImageBytes:N0} bytes, the limit (Api:MaxImageBytes).");
}
