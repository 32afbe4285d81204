using System.ComponentModel.DataAnnotations;

namespace Pipeline.Sources.Urls;

/// <summary>How <c>url</c> sources are fetched and which addresses they may reach (section <c>Sources:Url</c>).</summary>
public sealed class UrlSourceOptions
{
    public const string Section = "Sources:Url";

    /// <summary>False refuses every <c>url</c> source with <c>url-not-allowed</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Also fetch plain http (readable and changeable on the way); https only by default.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Host names that may be fetched (<c>images.example.com</c>, or <c>*.example.com</c> for its subdomains; IDN names in their
    /// ASCII <c>xn--</c> form); empty
    /// allows any host whose addresses are public.
    /// </summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>
    /// Networks in CIDR form (<c>10.20.0.0/16</c>, <c>127.0.0.0/8</c>) that may be reached although they are not
    /// public: an intranet image server, a local test server. Empty: public addresses only.
    /// </summary>
    public IList<string> AllowedNetworks { get; } = [];

    /// <summary>Redirects followed per fetch; each target is checked like the first address.</summary>
    [Range(0, 10)]
    public int MaxRedirects { get; set; } = 3;

    /// <summary>
    /// Further attempts after a server error (5xx, 408, 429), a dropped connection or a refused one, before the
    /// image fails with <c>url-fetch-failed</c>.
    /// </summary>
    [Range(0, 5)]
    public int Retries { get; set; } = 2;

    /// <summary>The whole fetch: every attempt, redirect and byte of the body.</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Opening one TCP connection (and its TLS handshake).</summary>
    [Range(1, 120)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Sent with every request, so that the owners of image servers can tell who is calling.</summary>
    [Required]
    public string UserAgent { get; set; } = "Pipeline-ImageFetcher/1.0";
}
