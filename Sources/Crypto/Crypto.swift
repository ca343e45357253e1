import COpenSSL
let _opensslVersion = OpenSSL_version_num()
