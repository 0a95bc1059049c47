using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Quartermaster.IntegrationTests.Infrastructure;

namespace Quartermaster.IntegrationTests;

/// <summary>The mutual-TLS listener: client certificates required, and the only place secrets leave in clear.</summary>
public sealed class HttpsListenerTests
{
    private const string Password = "s3cret-pass";

    [Fact]
    public async Task Https_WithTrustedClientCertificate_ServesSecrets_HttpRedactsThem()
    {
        using var pki = TestPki.Create();
        await using var host = await AllocatorHost.StartAsync(Config(pki));
        Assert.NotNull(host.HttpsAddress);

        var plain = await host.GetStringAsync("/scrape_configs");
        Assert.Contains("\\u003csecret\\u003e", plain, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, plain, StringComparison.Ordinal);

        using var client = pki.Client(host.HttpsAddress!, pki.TrustedClient);
        var secret = await client.GetStringAsync("/scrape_configs");
        Assert.Contains(Password, secret, StringComparison.Ordinal);

        // Every route exists on both listeners.
        Assert.Equal(await host.GetStringAsync("/jobs"), await client.GetStringAsync("/jobs"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Https_WithoutOrWithUntrustedClientCertificate_IsRefused()
    {
        using var pki = TestPki.Create();
        await using var host = await AllocatorHost.StartAsync(Config(pki));

        using var anonymous = pki.Client(host.HttpsAddress!, null);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetStringAsync("/scrape_configs"));

        using var stranger = pki.Client(host.HttpsAddress!, pki.UntrustedClient);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => stranger.GetStringAsync("/scrape_configs"));
    }

    [Fact]
    public async Task AllowInsecureAuthSecrets_ServesSecretsOverHttp()
    {
        await using var host = await AllocatorHost.StartAsync($$"""
            allow_insecure_auth_secrets: true
            collectors: {static: [collector-0]}
            config:
              scrape_configs:
                - job_name: secured
                  basic_auth: {username: u, password: {{Password}}}
                  static_configs: [{targets: ["a:1"]}]
            """);

        Assert.Contains(Password, await host.GetStringAsync("/scrape_configs"), StringComparison.Ordinal);
    }

    private static string Config(TestPki pki) => $$"""
        collectors: {static: [collector-0]}
        https:
          enabled: true
          ca_file_path: {{pki.CaFile}}
          tls_cert_file_path: {{pki.ServerCertFile}}
          tls_key_file_path: {{pki.ServerKeyFile}}
        config:
          scrape_configs:
            - job_name: secured
              basic_auth: {username: u, password: {{Password}}}
              static_configs: [{targets: ["a:1"]}]
        """;
}
