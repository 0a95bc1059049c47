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

    [Fact]
    public async Task Https_CertificateFilesMissing_HttpKeepsServing_HttpsComesUpWhenFilesArrive()
    {
        using var pki = TestPki.Create();
        var cert = await File.ReadAllBytesAsync(pki.ServerCertFile, TestContext.Current.CancellationToken);
        File.Delete(pki.ServerCertFile);
        await using var host = await AllocatorHost.StartAsync(Config(pki));

        // The HTTP listener serves; readiness detail names the key and the reason; the HTTPS listener refuses.
        Assert.Contains("secured", await host.GetStringAsync("/jobs"), StringComparison.Ordinal);
        var verbose = await host.GetStringAsync("/readyz?verbose");
        Assert.Contains("[-] https listener: refusing handshakes", verbose, StringComparison.Ordinal);
        Assert.Contains($"https.tls_cert_file_path: {pki.ServerCertFile} does not exist", verbose, StringComparison.Ordinal);
        using var client = pki.Client(host.HttpsAddress!, pki.TrustedClient);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync("/scrape_configs"));

        // Once the file is there, the next check (every 5 s) loads it and the listener serves.
        await File.WriteAllBytesAsync(pki.ServerCertFile, cert, TestContext.Current.CancellationToken);
        string? secret = null;
        for (var i = 0; i < 60 && secret is null; i++)
        {
            try
            {
                using var retry = pki.Client(host.HttpsAddress!, pki.TrustedClient);
                secret = await retry.GetStringAsync("/scrape_configs");
            }
            catch (HttpRequestException)
            {
                await Task.Delay(250, TestContext.Current.CancellationToken);
            }
        }

        Assert.NotNull(secret);
        Assert.Contains(Password, secret, StringComparison.Ordinal);
        Assert.Contains("[+] https listener: certificate loaded", await host.GetStringAsync("/readyz?verbose"), StringComparison.Ordinal);
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
