namespace Pipeline.Api.Owners;

/// <summary>Who the caller is (section <c>Api:Owners</c>).</summary>
public sealed class OwnerOptions
{
    public const string Section = "Api:Owners";

    /// <summary>
    /// Take the owner from the <c>X-Owner-Id</c> header as given. Only for a deployment behind a gateway that
    /// authenticates callers and sets the header itself, or for development.
    /// </summary>
    public bool TrustOwnerHeader { get; set; }

    /// <summary>API keys (header <c>X-Api-Key</c>), each mapped to the owner it acts for.</summary>
    public IList<ApiKeyOwner> ApiKeys { get; } = [];
}

public sealed class ApiKeyOwner
{
    public string Key { get; set; } = "";

    public string Owner { get; set; } = "";
}
