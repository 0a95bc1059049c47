using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Quartermaster.IntegrationTests.Infrastructure;

/// <summary>A test CA, a server certificate for 127.0.0.1 and client certificates (one from another CA), in a temp directory.</summary>
internal sealed class TestPki : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("qm-pki-").FullName;
    private X509Certificate2 _ca = null!;

    public string CaFile => Path.Combine(_dir, "ca.crt");

    public string ServerCertFile => Path.Combine(_dir, "tls.crt");

    public string ServerKeyFile => Path.Combine(_dir, "tls.key");

    public X509Certificate2 TrustedClient { get; private set; } = null!;

    public X509Certificate2 UntrustedClient { get; private set; } = null!;

    public static TestPki Create()
    {
        var pki = new TestPki();
        pki._ca = SelfSignedCa("CN=quartermaster-test-ca");
        using var otherCa = SelfSignedCa("CN=someone-else");
        File.WriteAllText(pki.CaFile, pki._ca.ExportCertificatePem());
        using var server = Issue(pki._ca, "CN=127.0.0.1", server: true);
        File.WriteAllText(pki.ServerCertFile, server.ExportCertificatePem());
        File.WriteAllText(pki.ServerKeyFile, server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        pki.TrustedClient = Issue(pki._ca, "CN=collector-0", server: false);
        pki.UntrustedClient = Issue(otherCa, "CN=intruder", server: false);
        return pki;
    }

    public HttpClient Client(Uri address, X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return cert is not null && chain.Build(new X509Certificate2(cert));
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    public void Dispose()
    {
        _ca.Dispose();
        TrustedClient.Dispose();
        UntrustedClient.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static X509Certificate2 SelfSignedCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool server)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        // Valid for a day less than the CA, so the leaf never outlives its issuer (the clock moves between the two).
        using var issued = request.Create(ca, TimeProvider.System.GetUtcNow().AddDays(-1), new DateTimeOffset(ca.NotAfter.ToUniversalTime()).AddDays(-1), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
