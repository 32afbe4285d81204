using System.Security.Cryptography;
using Pipeline.Contracts;
using Pipeline.Sources;
using Pipeline.Worker.Results;

namespace Pipeline.Worker.Processing.Fetching;

/// <summary>Checks the message, gets the bytes and their SHA-256. Infrastructure faults propagate (batch retry).</summary>
public sealed class FetchStage(IImageFetcher fetcher)
{
    public Task RunAsync(ImageWork work, CancellationToken cancellationToken) =>
        work.TimeAsync(StageNames.Fetch, async () =>
        {
            try
            {
                CheckMessage(work.Message);
                var (bytes, version) = await fetcher.FetchAsync(work.Message.Source, cancellationToken).ConfigureAwait(false);
                var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
                if (work.Message.ContentHash is { Length: > 0 } expected && !string.Equals(expected, hash, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ImageRejectedException(
                        FailureReasons.ContentHashMismatch,
                        $"The bytes' SHA-256 is {hash}, but the message says {expected}: the image changed or was corrupted in transit.");
                }

                work.Fetched(bytes, new FetchedSource(hash, version));
            }
            catch (ImageRejectedException rejection)
            {
                work.Reject(rejection);
            }
        });

    private static void CheckMessage(ImageUploaded message)
    {
        if (message.Problems.Count > 0)
        {
            throw new ImageRejectedException(FailureReasons.InvalidMessage, string.Join(" ", message.Problems));
        }

        if (string.IsNullOrWhiteSpace(message.OwnerId))
        {
            throw new ImageRejectedException(FailureReasons.InvalidMessage, "The message has no ownerId.");
        }

        if (!ImageIds.IsValidOwner(message.OwnerId))
        {
            throw new ImageRejectedException(FailureReasons.InvalidMessage, $"The message's ownerId '{message.OwnerId}' is not valid: it must be {ImageIds.OwnerRule}.");
        }

        if (message.Source is null)
        {
            throw new ImageRejectedException(FailureReasons.InvalidMessage, "The message has no source.");
        }
    }
}
