import Foundation
import Testing
import TestSupport

/// Issue 15 item 15 through the command line: what `clientone` writes to disk is its owner's only.
@Suite struct HardeningFileModeTests {
    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("The database clientone creates and a backup are 0600; a database left world-readable is tightened")
    func cliFiles() throws {
        let cli = CLI()
        #expect(try cli.run(["client", "add", "--name", "Northwind Traders"]).status == 0)
        #expect(try mode(cli.database) == 0o600)
        let target = cli.directory.file("copy.db")
        #expect(try cli.run(["backup", "--to", target]).status == 0)
        #expect(try mode(target) == 0o600)
        // A database an older version left world-readable is tightened by the next command.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: cli.database)
        #expect(try cli.run(["client", "add", "--name", "Contoso"]).status == 0)
        #expect(try mode(cli.database) == 0o600)
    }

    @Test("A running console's database, -wal and -shm are 0600")
    func servingFiles() throws {
        let console = try TestConsole()
        try console.seedNorthwind()
        _ = try console.signedIn()
        let path = console.directory.file("console.db")
        for file in [path, path + "-wal", path + "-shm"] { #expect(try mode(file) == 0o600, "\(file)") }
    }
}
