namespace StreamingApi.Security;

/// <summary>
/// The <c>Auth</c> section. Authentication is off unless an API key or a JWT authority is configured; then every
/// endpoint that starts or reads a run needs a principal. See docs/security.md.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The API keys the service accepts, each by its name and the hex SHA-256 of the key (never the key itself).</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>JWT bearer tokens from an OpenID Connect provider.</summary>
    public JwtSettings Jwt { get; set; } = new();

    /// <summary>How long a ticket for a URL (<c>?ticket=</c>) lives while it has not started a run.</summary>
    public double TicketSeconds { get; set; } = 60;

    public bool UsesApiKeys => ApiKeys.Count > 0;

    public bool UsesJwt => !string.IsNullOrWhiteSpace(Jwt.Authority);

    /// <summary>Whether requests need a principal: true as soon as one scheme is configured.</summary>
    public bool IsEnabled => UsesApiKeys || UsesJwt;
}

/// <summary>One API key: the name it is known by (its principal is <c>apikey:Name</c>) and the hex SHA-256 of the key.</summary>
public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";

    public string Sha256 { get; set; } = "";
}

/// <summary><c>Auth:Jwt</c>: the OpenID Connect provider whose tokens are accepted, and the audience they must be for.</summary>
public sealed class JwtSettings
{
    /// <summary>The issuer; its <c>/.well-known/openid-configuration</c> names its signing keys.</summary>
    public string? Authority { get; set; }

    public string? Audience { get; set; }

    /// <summary>Whether the discovery document must be fetched over HTTPS (turn off only for a provider on loopback).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
