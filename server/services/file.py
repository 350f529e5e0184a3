"""FileService.*

uploadFile's parameter order differs between sources (spec §2.11, §7 #9): the 2012/2014 docs list
``(fileName, base64Data[, contactId])``, the PHP SDK, Ruby gem, iSDK and 2017 docs send
``(contactId, fileName, base64Data)``. Both are served, told apart by the first parameter's type.
"""
from __future__ import annotations

from server.domain.crm import files
from server.domain.session import AppSession
from server.xmlrpc.methods import P, xmlrpc


@xmlrpc("FileService.uploadFile", P.INT, P.STRING, P.DATA)
def upload_contact_first(s: AppSession, contact_id: int, file_name: str, data) -> int:
    return files.upload(s, file_name, data, contact_id)


@xmlrpc("FileService.uploadFile", P.STRING, P.DATA)
def upload(s: AppSession, file_name: str, data) -> int:
    return files.upload(s, file_name, data)


@xmlrpc("FileService.uploadFile", P.STRING, P.DATA, P.INT)
def upload_name_first(s: AppSession, file_name: str, data, contact_id: int) -> int:
    return files.upload(s, file_name, data, contact_id)


@xmlrpc("FileService.getFile", P.INT, writes=False)
def get_file(s: AppSession, file_id: int) -> str:
    return files.get_base64(s, file_id)


@xmlrpc("FileService.getDownloadUrl", P.INT, writes=False)
def get_download_url(s: AppSession, file_id: int) -> str:
    return files.download_url(s, file_id)


@xmlrpc("FileService.replaceFile", P.INT, P.DATA)
def replace_file(s: AppSession, file_id: int, data) -> bool:
    return files.replace(s, file_id, data)


@xmlrpc("FileService.renameFile", P.INT, P.STRING)
def rename_file(s: AppSession, file_id: int, file_name: str) -> bool:
    return files.rename(s, file_id, file_name)
