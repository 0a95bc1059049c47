using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Time.Testing;
using Quartermaster.Core.Config;
using Quartermaster.Core.Discovery;

namespace Quartermaster.Tests.Discovery;

public sealed class HttpSdTlsTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qm-sd-tls-" + Guid.NewGuid().ToString("N"));
    private readonly StatusWatcher _status = new();
    private readonly Recorder _recorder = new();
    private readonly CancellationTokenSource _cts = new();
    private X509Certificate2 _ca = null!;
    private X509Certificate2 _leaf = null!;
    private SdTestServer _server = null!;
    private HttpSdProvider? _provider;
    private Task? _run;

    private string CaFile => Path.Combine(_dir, "ca.pem");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Quartermaster Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = TimeProvider.System.GetUtcNow();
        _ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(50));
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=sd.test", leafKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("sd.test");
        leafRequest.CertificateExtensions.Add(san.Build());
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = leafRequest.Create(_ca, now.AddDays(-1), now.AddYears(10), [1, 2, 3, 4]);
        _leaf = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(leafKey).Export(X509ContentType.Pkcs12), null);

        _server = await SdTestServer.StartAsync(builder => builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(_leaf))));
        _server.RespondJson("""[{"targets":["tls:1"]}]""");
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _provider?.Dispose();
        _cts.Dispose();
        await _server.DisposeAsync();
        _ca.Dispose();
        _leaf.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private void Start(TlsConfig tls)
    {
        Assert.StartsWith("https://127.0.0.1:", _server.BaseAddress);
        _provider = new HttpSdProvider(
            new HttpSdConfig { Url = _server.Url(), HttpClient = new HttpClientConfig { TlsConfig = tls } },
            _status.Status,
            new FakeTimeProvider());
        _run = _provider.RunAsync(_recorder.Publish, _cts.Token);
    }

    [Fact]
    public async Task RunAsync_CaFileAndServerName_Verified()
    {
        Start(new TlsConfig { CaFile = CaFile, ServerName = "sd.test" });

        var batch = _recorder.NextAsync();
        var change = _status.NextChangeAsync();
        if (await Task.WhenAny(batch, change) == change)
        {
            Assert.Fail("refresh failed: " + await change);
        }

        Assert.Single(await batch);
    }

    [Fact]
    public async Task RunAsync_CaFileButAddressNotInCertificate_Rejected()
    {
        Start(new TlsConfig { CaFile = CaFile });

        Assert.StartsWith($"Get \"{_server.Url()}\": ", await _status.NextChangeAsync());
        Assert.False(_recorder.TryTake(out _));
    }

    [Fact]
    public async Task RunAsync_UnknownCa_Rejected()
    {
        Start(new TlsConfig { ServerName = "sd.test" });

        Assert.StartsWith($"Get \"{_server.Url()}\": ", await _status.NextChangeAsync());
    }

    [Fact]
    public async Task RunAsync_InsecureSkipVerify_Accepted()
    {
        Start(new TlsConfig { InsecureSkipVerify = true });

        Assert.Single(await _recorder.NextAsync());
    }
}
