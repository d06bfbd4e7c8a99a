using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace StreamingApi.Security;

/// <summary>
/// <c>dotnet run --project src/StreamingApi -- new-api-key NAME</c>: prints a new random key once, and the configuration
/// entry that accepts it (its name and SHA-256). The key itself is never written anywhere else.
/// </summary>
public static class NewApiKeyCommand
{
    public const string Name = "new-api-key";

    public static bool IsAsked(string[] args) => args is [Name, ..];

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not [_, var name] || string.IsNullOrWhiteSpace(name))
        {
            error.WriteLine($"Usage: {Name} NAME (the name the key's runs are recorded under, e.g. ci or alice)");
            return 2;
        }

        var key = "sak_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        output.WriteLine($"API key for {name} (shown once; give it to the client, keep it out of configuration and logs):");
        output.WriteLine();
        output.WriteLine($"  {key}");
        output.WriteLine();
        output.WriteLine("Its entry in Auth:ApiKeys (appsettings.json):");
        output.WriteLine();
        output.WriteLine($$"""  { "Name": {{JsonSerializer.Serialize(name)}}, "Sha256": "{{hash}}" }""");
        output.WriteLine();
        output.WriteLine("or as environment variables (use the entry's index in the list for 0):");
        output.WriteLine();
        output.WriteLine($"  Auth__ApiKeys__0__Name={name}");
        output.WriteLine($"  Auth__ApiKeys__0__Sha256={hash}");
        return 0;
    }
}
